"""Django's SQLite backend, reading money back exactly.

SQLite gives a ``decimal`` column NUMERIC affinity: a well-formed number, even one handed
over as text (as Django and ``cases.bulk`` do), is stored as a 64-bit float. Django reads it
back through a 15-digit context (``Context(prec=15).create_decimal_from_float``), so an
amount of 16 significant digits (a ``DecimalField(max_digits=16, decimal_places=2)`` holds
up to 99,999,999,999,999.99) comes back rounded — or, when the rounding carries into a
17th digit, as ``InvalidOperation``, which made ``zhixing export`` and ``check funds`` fail
for the whole database.

Here a float read from a column with decimal places goes through its shortest round-trip
text (``repr``) and is then quantized to the column's places. Below 2^46 (70,368,744,177,664
yuan) neighbouring doubles are less than a cent apart, so the stored float identifies its
cent amount and this gives back exactly the amount written; above it (up to the column's
10^14 limit) an amount may come back one cent off, never an error. PostgreSQL stores
``numeric`` exactly and is not concerned.
"""

from __future__ import annotations

import decimal

from django.db.backends.sqlite3 import base, operations
from django.db.models.expressions import Col


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression):
        places = (
            getattr(expression.output_field, "decimal_places", None) if isinstance(expression, Col) else None
        )
        if places is None:
            return super().get_decimalfield_converter(expression)
        quantum = decimal.Decimal(1).scaleb(-places)
        context = decimal.Context(prec=expression.output_field.max_digits + 2)

        def converter(value, expression, connection):
            if value is None:
                return None
            exact = decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)
            return exact.quantize(quantum, context=context)

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
