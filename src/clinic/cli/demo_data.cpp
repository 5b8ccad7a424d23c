#include "clinic/cli/demo_data.hpp"

#include <fmt/format.h>

#include <array>

#include "clinic/domain/slot_generation.hpp"
#include "clinic/domain/time_zone.hpp"

namespace clinic::cli {
namespace {

using namespace std::chrono_literals;

struct DemoLocation {
  const char* name;
  const char* address;
  const char* city;
  const char* state;
  const char* postal;
  const char* country;
  const char* phone;
  const char* timezone;
  const char* currency;
  std::int64_t fee_cents;
};

constexpr std::array<DemoLocation, 2> kLocations{{
    {"Clinic Midtown", "350 Fifth Avenue", "New York", "NY", "10118", "United States",
     "+12125550100", "America/New_York", "USD", 12000},
    {"Clinic Orchard", "238 Orchard Road", "Singapore", nullptr, "238851", "Singapore",
     "+6565550100", "Asia/Singapore", "SGD", 9000},
}};

struct DemoDoctor {
  const char* first;
  const char* last;
  const char* specialization;
  std::size_t location;
  const char* bio;
};

constexpr std::array<DemoDoctor, 6> kDoctors{{
    {"Alice", "Tan", "General Medicine", 0, "Family physician; adult and travel medicine."},
    {"Marcus", "Reed", "Pediatrics", 0, "Children from newborns to teens; asthma clinic."},
    {"Priya", "Nair", "Dermatology", 0, "Skin checks, eczema and acne care."},
    {"Wei", "Lim", "General Medicine", 1, "General practice and chronic disease follow-up."},
    {"Sofia", "Alvarez", "Pediatrics", 1, "Well-child visits and vaccinations."},
    {"Kenji", "Mori", "Dermatology", 1, "Medical and surgical dermatology."},
}};

constexpr std::array<std::array<const char*, 2>, 20> kPatients{{
    {"John", "Smith"},   {"Maria", "Garcia"}, {"Wei", "Chen"},      {"Aisha", "Khan"},
    {"Liam", "O'Brien"}, {"Emma", "Johnson"}, {"Noah", "Williams"}, {"Olivia", "Brown"},
    {"Ravi", "Patel"},   {"Siti", "Rahman"},  {"Lucas", "Silva"},   {"Mei", "Tanaka"},
    {"Ethan", "Davis"},  {"Chloe", "Martin"}, {"Omar", "Haddad"},   {"Zoë", "Müller"},
    {"Daniel", "Kim"},   {"Grace", "Ng"},     {"Hannah", "Lee"},    {"Arjun", "Mehta"},
}};

constexpr const char* kAdminPassword = "demo-admin-pass";
constexpr const char* kDoctorPassword = "demo-doctor-pass";
constexpr const char* kPatientPassword = "demo-patient-pass";

// Working hours of every demo doctor, local time: 09:00–12:00 and 13:00–17:00, Monday to Friday,
// 30-minute slots, bookable four weeks ahead (so `clinicctl generate-slots` extends the demo).
constexpr std::array<std::array<int, 2>, 2> kShiftHours{{{9, 12}, {13, 17}}};
constexpr int kSlotMinutes = 30;
constexpr int kHorizonDays = 28;

std::string EmailOf(const char* first, const char* last, std::string_view domain) {
  std::string local = fmt::format("{}.{}", first, last);
  std::string out;
  for (const char c : local) {
    if (c == '\'') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return fmt::format("{}@{}", out, domain);
}

domain::WorkingHours DemoWorkingHours(const domain::Doctor& doctor) {
  domain::WorkingHours hours{.doctor_id = doctor.id,
                             .location_id = doctor.location_id.value_or(0),
                             .slot_minutes = kSlotMinutes,
                             .horizon_days = kHorizonDays};
  for (int weekday = 1; weekday <= 5; ++weekday) {
    for (const auto& [from_hour, to_hour] : kShiftHours) {
      hours.weekly.push_back({.weekday = weekday,
                              .start = std::chrono::hours(from_hour),
                              .end = std::chrono::hours(to_hour)});
    }
  }
  return hours;
}

// Stores the doctor's working hours and creates their slots for the local days
// [first_day, last_day], past days included (the demo has history); returns them in order.
Result<std::vector<domain::Slot>> CreateSlots(storage::Transaction& tx,
                                              const domain::Doctor& doctor,
                                              const date::time_zone& zone,
                                              date::local_days first_day,
                                              date::local_days last_day) {
  const auto hours = DemoWorkingHours(doctor);
  CLINIC_TRY_STATUS(tx.working_hours().Replace(hours));
  const auto as_date = [](date::local_days day) {
    return std::chrono::year_month_day{std::chrono::sys_days{day.time_since_epoch()}};
  };
  const auto plan = domain::GenerateSlots(hours.weekly, zone, std::chrono::minutes(kSlotMinutes),
                                          as_date(first_day), as_date(last_day));
  std::vector<domain::Slot> created;
  for (const auto& period : plan.slots) {
    CLINIC_ASSIGN_OR_RETURN(auto stored, tx.slots().Create({.doctor_id = doctor.id,
                                                            .location_id = doctor.location_id,
                                                            .start_time_utc = period.start,
                                                            .end_time_utc = period.end}));
    created.push_back(stored);
  }
  return created;
}

Status Seed(storage::Transaction& tx, const service::PasswordHasher& hasher, const Clock& clock,
            DemoSummary& summary) {
  CLINIC_ASSIGN_OR_RETURN(const auto admin_hash, hasher.Hash(kAdminPassword));
  CLINIC_ASSIGN_OR_RETURN(const auto doctor_hash, hasher.Hash(kDoctorPassword));
  CLINIC_ASSIGN_OR_RETURN(const auto patient_hash, hasher.Hash(kPatientPassword));

  domain::Admin admin;
  admin.username = "admin";
  admin.email = "admin@clinic.example";
  admin.password_hash = admin_hash;
  CLINIC_TRY_STATUS(tx.admins().Create(admin));

  std::vector<domain::Location> locations;
  for (const auto& l : kLocations) {
    domain::Location location;
    location.name = l.name;
    location.address_line1 = l.address;
    location.city = l.city;
    if (l.state != nullptr) location.state_region = l.state;
    location.postal_code = l.postal;
    location.country = l.country;
    location.phone = l.phone;
    location.timezone = l.timezone;
    CLINIC_ASSIGN_OR_RETURN(auto stored, tx.locations().Create(location));
    locations.push_back(std::move(stored));
  }

  std::vector<domain::Patient> patients;
  for (std::size_t i = 0; i < kPatients.size(); ++i) {
    domain::Patient patient;
    patient.first_name = kPatients[i][0];
    patient.last_name = kPatients[i][1];
    patient.email = EmailOf(kPatients[i][0], kPatients[i][1], "example.com");
    patient.phone = fmt::format("+1212555{:04}", 200 + i);
    patient.date_of_birth =
        std::chrono::year_month_day{std::chrono::year{1950 + static_cast<int>(i * 3)},
                                    std::chrono::month{static_cast<unsigned>(1 + i % 12)},
                                    std::chrono::day{static_cast<unsigned>(1 + (i * 7) % 28)}};
    patient.gender = std::array{domain::Gender::kMale, domain::Gender::kFemale,
                                domain::Gender::kOther, domain::Gender::kPreferNotToSay}[i % 4];
    patient.password_hash = patient_hash;
    CLINIC_ASSIGN_OR_RETURN(auto stored, tx.patients().Create(patient));
    patients.push_back(std::move(stored));
  }

  const Instant now = clock.Now();
  std::size_t next_patient = 0;
  for (std::size_t d = 0; d < kDoctors.size(); ++d) {
    const auto& spec = kDoctors[d];
    const auto& location = locations[spec.location];
    const auto& place = kLocations[spec.location];
    domain::Doctor doctor;
    doctor.first_name = spec.first;
    doctor.last_name = spec.last;
    doctor.email = EmailOf(spec.first, spec.last, "clinic.example");
    doctor.phone = fmt::format("+1212555{:04}", 100 + d);
    doctor.specialization = spec.specialization;
    doctor.bio = spec.bio;
    doctor.location_id = location.id;
    doctor.password_hash = doctor_hash;
    CLINIC_ASSIGN_OR_RETURN(doctor, tx.doctors().Create(doctor));

    const auto* zone = domain::FindTimeZone(location.timezone);
    if (zone == nullptr) return Fail(Error::Internal("demo time zone missing from tz database"));
    const auto today = date::floor<date::days>(domain::UtcToLocal(*zone, now));
    CLINIC_ASSIGN_OR_RETURN(
        auto slots, CreateSlots(tx, doctor, *zone, today - date::days{7}, today + date::days{13}));
    summary.slots += static_cast<int>(slots.size());

    // Two visits a day in the past (mostly completed, with payments and some prescriptions) and
    // a handful of upcoming bookings.
    int upcoming = 0;
    for (std::size_t s = 0; s < slots.size(); ++s) {
      const auto& slot = slots[s];
      const bool past = slot.end_time_utc <= now;
      if (past ? (s % 7 != 1 && s % 7 != 4)
               : (slot.start_time_utc <= now || upcoming >= 4 || s % 5 != 2)) {
        continue;
      }
      domain::Appointment appointment;
      appointment.slot_id = slot.id;
      appointment.doctor_id = doctor.id;
      appointment.patient_id = patients[next_patient++ % patients.size()].id;
      appointment.location_id = slot.location_id;
      appointment.reason = past ? "Follow-up visit" : "Consultation";
      appointment.status = !past                           ? domain::AppointmentStatus::kScheduled
                           : summary.appointments % 9 == 4 ? domain::AppointmentStatus::kNoShow
                                                           : domain::AppointmentStatus::kCompleted;
      CLINIC_ASSIGN_OR_RETURN(auto stored, tx.appointments().Create(appointment));
      ++summary.appointments;
      if (!past) ++upcoming;
      if (stored.status != domain::AppointmentStatus::kCompleted) continue;

      domain::Payment payment;
      payment.appointment_id = stored.id;
      payment.amount_cents = place.fee_cents;
      payment.currency = place.currency;
      payment.method =
          summary.payments % 2 == 0 ? domain::PaymentMethod::kCard : domain::PaymentMethod::kCash;
      if (payment.method == domain::PaymentMethod::kCard) {
        payment.transaction_ref = fmt::format("demo-card-{:05}", summary.payments + 1);
      }
      payment.status = domain::PaymentStatus::kPaid;
      payment.paid_at = slot.end_time_utc;
      CLINIC_TRY_STATUS(tx.payments().Create(payment));
      ++summary.payments;

      if (summary.appointments % 3 == 0) {
        domain::Prescription prescription;
        prescription.appointment_id = stored.id;
        prescription.doctor_id = doctor.id;
        prescription.patient_id = stored.patient_id;
        prescription.instructions =
            "Ibuprofen 400 mg by mouth every 8 hours with food for 5 days as needed for pain.";
        prescription.issued_at = slot.end_time_utc;
        CLINIC_TRY_STATUS(tx.prescriptions().Create(prescription));
        ++summary.prescriptions;
      }
    }
  }
  summary.locations = static_cast<int>(locations.size());
  summary.doctors = static_cast<int>(kDoctors.size());
  summary.patients = static_cast<int>(patients.size());
  summary.seeded = true;
  return Ok();
}

}  // namespace

Result<DemoSummary> SeedDemoData(storage::Store& store, const service::PasswordHasher& hasher,
                                 const Clock& clock) {
  return storage::InTransaction(
      store, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Result<DemoSummary> {
        DemoSummary summary;
        summary.logins = {{"admin", "admin", kAdminPassword},
                          {"doctor", EmailOf(kDoctors[0].first, kDoctors[0].last, "clinic.example"),
                           kDoctorPassword},
                          {"patient", EmailOf(kPatients[0][0], kPatients[0][1], "example.com"),
                           kPatientPassword}};
        CLINIC_ASSIGN_OR_RETURN(auto existing,
                                tx.locations().List({.limit = 1, .after_id = std::nullopt}));
        if (!existing.items.empty()) return summary;
        CLINIC_TRY_STATUS(Seed(tx, hasher, clock, summary));
        return summary;
      });
}

}  // namespace clinic::cli
