"""Where the app reaches past a library's public API, one module per library.

Each module here overrides a private name of one library because the public
API cannot do the job as well (speed, or safety). Each says why, names the
private names it relies on, and ``tests/test_compat.py`` fails with the
library's version when an upgrade changes them: check the module then.
"""
