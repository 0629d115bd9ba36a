CREATE TABLE "Order Lines" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  "Qty" INT NOT NULL CONSTRAINT qty_positive CHECK ("Qty" > 0),
  sku TEXT UNIQUE, [note] TEXT DEFAULT 'PRIMARY, KEY (x)',  -- a comment
  order_id INT REFERENCES orders(id) ON DELETE CASCADE,
  CONSTRAINT uq_pair UNIQUE (order_id, `sku`),
  CHECK (length(sku) < 40 AND note <> 'it''s'),
  CONSTRAINT fk_o FOREIGN KEY (order_id) REFERENCES orders (id)
) WITHOUT ROWID