"""Interfaces: the only code that reads argv, HTTP or the environment, or prints."""
