"""Sagsgang's jinja2 templates (documents, mails, timetables, web pages), shipped as package data
and loaded through sagsgang.rendering."""
