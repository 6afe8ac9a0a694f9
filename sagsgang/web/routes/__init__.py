"""The web app's routers, one module per part of the site."""
