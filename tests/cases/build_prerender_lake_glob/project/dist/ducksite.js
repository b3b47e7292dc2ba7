// ducksite runtime (test stand-in)
