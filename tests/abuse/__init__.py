"""Abuse and regression tests of issue #13 (a package so that names like test_calls.py do not clash with tests/)."""
