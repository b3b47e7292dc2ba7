previous build: sql/_global/s.sql
