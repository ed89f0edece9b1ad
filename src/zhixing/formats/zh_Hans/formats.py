"""Django's zh-Hans formats with ISO dates first for input.

Django renders a bound date into a form field with the first of DATE_INPUT_FORMATS, which
for zh-Hans is ``%Y/%m/%d``; ``<input type="date">`` only accepts ``YYYY-MM-DD`` and shows
nothing for anything else, so every date input came back blank after a round trip.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M"]
