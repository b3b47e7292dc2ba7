previous build: sql/_global/old.sql
