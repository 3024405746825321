"""The shell layer: what faces the page and the desktop: the window, the js_api bridge and
its argument checks, the page's server and push channel, and the Session that builds it all."""
