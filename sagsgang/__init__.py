"""Sagsgang: the command line and shared application wiring."""
