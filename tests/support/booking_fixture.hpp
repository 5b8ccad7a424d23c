#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "support/api_fixture.hpp"

namespace clinic::testing {

inline constexpr const char* kDoctorPassword = "doctor-password-1";

// Today's UTC date plus `days`, as "YYYY-MM-DD".
std::string DaysFromToday(int days);

// 2030-01-07 (a Monday) at hh:mm UTC, as RFC 3339: far enough ahead to be bookable.
std::string On2030(int hours, int minutes = 0);

// `hours` from now, whole seconds, as RFC 3339 (negative: in the past).
std::string HoursFromNow(int hours);

// "/api/v1/appointments/{id}", or with `action` "/api/v1/appointments/{id}/{action}".
std::string AppointmentPath(std::int64_t id, const std::string& action = "");

// An API test with builders for the records scheduling and booking need, all made through the API
// as the admin. Each builder records a test failure and returns 0 when the server refuses.
class BookingApiTest : public ApiTest {
 protected:
  // POSTs `body` to `path` and returns the created record's id.
  std::int64_t Create(const std::string& path, const boost::json::object& body,
                      const std::string& token);
  std::int64_t CreateLocation(const std::string& timezone = "Asia/Singapore");
  // A doctor who can log in with kDoctorPassword.
  std::int64_t CreateDoctor(const std::string& email,
                            const std::string& specialization = "Cardiology");
  std::int64_t CreateSlot(std::int64_t doctor_id, std::int64_t location_id,
                          const std::string& start, const std::string& end);
  // Every slot id a search (GET /api/v1/slots with `filters`, "&doctor_id=1…") returns, following
  // next_cursor page by page.
  std::vector<std::int64_t> SearchAll(const std::string& filters, int limit = 50);
  // A slot written straight to the database, for times the API refuses (the past).
  std::int64_t InsertSlot(std::int64_t doctor_id, std::int64_t location_id, Instant start,
                          Instant end);
  // An appointment written straight to the database (no rules checked).
  std::int64_t InsertAppointment(std::int64_t slot_id, std::int64_t patient_id);
};

}  // namespace clinic::testing
