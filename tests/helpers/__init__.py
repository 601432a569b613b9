"""Shared machinery for the template's tests: baking, processes, services, HTTP."""
