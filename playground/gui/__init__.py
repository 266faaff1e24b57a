"""The desktop window. Everything Qt lives under this package; playground.core never imports it."""
