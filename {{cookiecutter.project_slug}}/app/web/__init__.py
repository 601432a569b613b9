"""How requests come in and answers go out: proxy headers, request ids, request
checks, content negotiation, security headers, error pages and problem details,
URL converters and template helpers."""
