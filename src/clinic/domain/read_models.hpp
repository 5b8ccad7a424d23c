#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinic/domain/entities.hpp"

// Read models: records as lists and schedules show them, joined with what is shown beside them.
// The storage ports return them, the services pass them on, the HTTP layer prints them.
namespace clinic::domain {

// Keyset pagination: rows ordered by id, starting after `after_id`.
struct PageRequest {
  int limit = 50;
  std::optional<Id> after_id;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<Id> next_after_id;  // set when more rows follow
};

// A slot as a search shows it, with its location's IANA zone (absent when the slot has no
// location) so that local times can be computed.
struct SlotListing {
  Slot slot;
  std::optional<std::string> timezone;
};

// A slot in its doctor's own schedule: the location's zone and the active (not cancelled)
// appointment that holds it.
struct DoctorSlotListing {
  Slot slot;
  std::optional<std::string> timezone;
  std::optional<Id> appointment_id;
};

// A person as a list shows them: enough to name them without reading their record.
struct PersonName {
  std::string first_name;
  std::string last_name;
};

// An appointment with what a schedule or a list shows beside it: the slot's times, the
// location's zone and name, and who the patient and the doctor are; also whether the patient's
// record is deleted, which decides who may see the appointment (domain::AuthorizeAppointment).
struct AppointmentListing {
  Appointment appointment;
  Instant start_time_utc{};
  Instant end_time_utc{};
  std::optional<std::string> timezone;
  PersonName patient;
  bool patient_deleted = false;
  PersonName doctor;
  std::string doctor_specialization;
  std::optional<std::string> location_name;
};

// What one appointment's ledger adds up to in one currency: money received (payments that were
// paid, whether refunded later or not) and money given back (refund rows). Never mixed across
// currencies.
struct CurrencyBalance {
  std::string currency;
  std::int64_t paid_cents = 0;
  std::int64_t refunded_cents = 0;
};

// A prescription with the id of the one that replaced it, if any.
struct PrescriptionListing {
  Prescription prescription;
  std::optional<Id> superseded_by;
};

}  // namespace clinic::domain
