previous build: sql/_global/old_model.sql
