X = "helper b"
