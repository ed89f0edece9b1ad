"""Bounds of the JSON API's paging parameters.

A page or an offset past any real list is refused as bad input (422 naming the parameter)
rather than handed to the database as an OFFSET it cannot hold — SQLite's is a signed
64-bit integer, and a larger one was a 500. A negative offset or limit is refused too
(Django cannot slice a query with one).
"""

#: Pages of the paged lists; far more than any court's list has (50 a page).
MAX_PAGE = 100_000
#: Offsets of the offset/limit lists, the same reach.
MAX_OFFSET = 10_000_000
