"""The shipped benchmark: how much the app's request path costs, and where.

``python -m bench`` (``make bench``) serves the app and a bare Flask app
under the same gunicorn settings, loads both with the same client, and
prints one table: throughput and latency per request type, the ratio to the
bare app, and how many SQL statements and Redis round trips each request
costs. The ratio to a bare app, measured in the same minute on the same
machine, is what stays comparable between machines; absolute figures do not.

``python -m bench.profiling /dashboard`` profiles one request type in-process,
to decide what to optimise. Neither ever fails on slowness: budgets are
shown, not enforced.
"""
