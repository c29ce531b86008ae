#!/usr/bin/env python
"""Django's manage.py; `harambee` is the same command, installed on the PATH."""

from harambee.cli import main

if __name__ == "__main__":
    main()
