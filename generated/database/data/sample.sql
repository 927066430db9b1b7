-- The sample database of specs/database.yaml: a small shop. Runs on SQLite (it creates
-- data/sample.db in the generated server on first start) and on PostgreSQL (psql -f).
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  country TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  in_stock INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  product_id INTEGER NOT NULL REFERENCES products (id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  ordered_at TEXT NOT NULL
);

INSERT INTO customers (id, name, email, country, created_at) VALUES
  (1, 'Ada Lovelace', 'ada@example.com', 'GB', '2026-01-05'),
  (2, 'Grace Hopper', 'grace@example.com', 'US', '2026-02-11'),
  (3, 'Katherine Johnson', 'katherine@example.com', 'US', '2026-03-20'),
  (4, 'Hedy Lamarr', 'hedy@example.com', 'AT', '2026-04-02'),
  (5, 'Margaret Hamilton', 'margaret@example.com', 'US', '2026-05-17');

INSERT INTO products (id, name, category, price_cents, in_stock) VALUES
  (1, 'Mechanical keyboard', 'hardware', 12900, 1),
  (2, 'Noise-cancelling headphones', 'hardware', 24900, 1),
  (3, 'USB-C hub', 'hardware', 3900, 0),
  (4, 'Type theory textbook', 'books', 5900, 1),
  (5, 'Compilers (2nd edition)', 'books', 8900, 1),
  (6, 'Cloud credits (1 month)', 'services', 2000, 1);

INSERT INTO orders (id, customer_id, product_id, quantity, ordered_at) VALUES
  (1, 1, 5, 1, '2026-06-01'),
  (2, 2, 1, 2, '2026-06-03'),
  (3, 2, 6, 3, '2026-06-10'),
  (4, 3, 4, 1, '2026-07-14'),
  (5, 4, 2, 1, '2026-08-21'),
  (6, 5, 1, 1, '2026-09-02'),
  (7, 5, 5, 2, '2026-09-30'),
  (8, 1, 3, 1, '2026-10-12');
