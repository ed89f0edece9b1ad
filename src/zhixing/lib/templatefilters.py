"""Template filters every page can use without ``{% load %}`` (settings.TEMPLATES
``builtins``): ``{{ amount|yuan }}`` → 30,000.00, ``{{ rate|percent }}`` → 75.33%."""

from django import template

from zhixing.lib import formatting

register = template.Library()
register.filter("yuan", formatting.yuan, is_safe=True)


@register.filter(is_safe=True)
def percent(value, places=2):
    return formatting.percent(value, int(places))
