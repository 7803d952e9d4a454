"""The metadata toolkit both cleaning paths (html_metadata.py, text.py) read pages with, so that
they agree: dates (month names and numeric forms of many languages, glued forms, machine dates,
dates in URLs), person names and bylines, titles and site-name
suffixes, hosts. Thresholds: worker/config/cleaning.py."""
