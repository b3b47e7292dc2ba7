previous build: sql/_global/orders.sql
