-- Refunds and prescription corrections as rows that point at what they amend (see
-- migrations/mysql/0005_payments_prescriptions.sql).
ALTER TABLE payments ADD COLUMN refund_of_id INTEGER
  REFERENCES payments (id) ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX idx_payment_refund_of ON payments (refund_of_id);
CREATE INDEX idx_payment_paid_at ON payments (paid_at);

ALTER TABLE prescriptions ADD COLUMN supersedes_id INTEGER
  REFERENCES prescriptions (id) ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE UNIQUE INDEX uq_rx_supersedes ON prescriptions (supersedes_id);
