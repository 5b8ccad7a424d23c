-- Refunds and prescription corrections, both as new rows that point at the row they amend, so
-- that nothing is ever edited in place. A refund is a payment row of status 'refunded' whose
-- `refund_of_id` names the payment it gives money back from (several partial refunds may point
-- at one payment); the original turns 'refunded' once its refunds add up to its amount. A
-- corrected prescription is a new row whose `supersedes_id` names the one it replaces; UNIQUE
-- keeps the history a chain, one correction per prescription.
ALTER TABLE payments
  ADD COLUMN refund_of_id INT UNSIGNED NULL AFTER transaction_ref,
  ADD CONSTRAINT fk_payment_refund_of
    FOREIGN KEY (refund_of_id) REFERENCES payments(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  ADD INDEX idx_payment_paid_at (paid_at);

ALTER TABLE prescriptions
  ADD COLUMN supersedes_id INT UNSIGNED NULL AFTER instructions,
  ADD CONSTRAINT fk_rx_supersedes
    FOREIGN KEY (supersedes_id) REFERENCES prescriptions(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  ADD UNIQUE KEY uq_rx_supersedes (supersedes_id);
