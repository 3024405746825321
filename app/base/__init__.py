"""The base layer: rules every other layer shares, written once. Nothing here imports the rest
of Soma, and only jsontext imports numpy (the dev-mode supervisor uses errors, files, places and
devchild, and must start without numpy)."""
