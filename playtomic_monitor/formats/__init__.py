"""The project's date formats per language (settings.FORMAT_MODULE_PATH), on top of Django's
own: how a player reads a club-local instant or day (playtomic_monitor/localtime.py).
Translators adapt each language's module; the letters are Django's `date` format letters, so
day and month names come out in the active language."""
