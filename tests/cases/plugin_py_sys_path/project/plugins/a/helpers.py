X = "helper a"
