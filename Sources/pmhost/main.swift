print("pmhost")
