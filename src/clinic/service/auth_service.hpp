#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/service/session_touches.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

struct AuthOptions {
  // A session expires after this long without use; each use slides it forward.
  std::chrono::seconds idle_timeout = std::chrono::hours(12);
  // ...and at the latest this long after login, however busy.
  std::chrono::seconds max_lifetime = std::chrono::days(30);
  // Failed password checks tolerated within `throttle_window` before further attempts answer 429
  // (docs/decisions.md "Throttle model"): per account at one address, per account and per
  // address. Each block in a row lasts twice as long, up to `max_block`.
  int max_failures_per_account = 10;
  int max_failures_per_address = 100;
  std::chrono::seconds throttle_window = std::chrono::minutes(1);
  std::chrono::seconds max_block = std::chrono::minutes(15);
  // Self-registrations (taken email or not) per client address within `registration_window`.
  int max_registrations_per_address = 20;
  std::chrono::seconds registration_window = std::chrono::hours(1);
};

// An address an account logged in from stays known for it this long after the last success there:
// the account-wide and address-wide throttle counters do not apply there.
inline constexpr std::chrono::days kKnownLoginAddressPeriod{30};

// A patient signing themselves up.
struct Registration {
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string password;
  std::optional<std::string> phone;
  std::optional<std::chrono::year_month_day> date_of_birth;
  std::optional<domain::Gender> gender;
};

struct LoginResult {
  std::string token;  // the bearer token; only its hash is stored
  Instant expires_at;
  domain::Principal user;
};

// Accounts' credentials and sessions: registration, login with throttling, logout, session
// lookup with sliding expiry, password changes. Every outcome is audited (login success and
// failure included). The answer to a failed login never says whether the account exists.
// Thread-safe.
class AuthService {
 public:
  AuthService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock,
              AuthOptions options);

  // Creates a patient account that can log in. kInvalidArgument names each bad field;
  // kAlreadyExists when the email is taken (also by a soft-deleted account); kResourceExhausted
  // once the client address made max_registrations_per_address attempts in the window (a retry
  // counts too). Once per Idempotency-Key (CreateAccountOnce), scoped to anonymous callers: a
  // retry with the same fields and the password of the patient the first made answers that
  // patient, hashing nothing (one verification); the key with other fields or another password is
  // kInvalidArgument naming Idempotency-Key.
  Result<Created<domain::Patient>> Register(const Registration& registration,
                                            const domain::RequestContext& context);

  // `login` is an email (patients, doctors, admins) or an admin's username. kUnauthenticated for
  // wrong credentials or a deleted/inactive account; kResourceExhausted (with retry_after_seconds)
  // when a throttle counter of the attempt is full — then the password is not even checked, so
  // guessing on gains nothing. Each attempt is counted before its check and uncounted when it
  // succeeds.
  Result<LoginResult> Login(const std::string& login, const std::string& password,
                            const domain::RequestContext& context);

  // Revokes the session of `token`. kUnauthenticated when it is not a live session.
  Status Logout(const std::string& token, const domain::RequestContext& context);

  // The account a live session token belongs to, sliding its expiry. kUnauthenticated when the
  // token is unknown, revoked or expired, or its account was deleted or deactivated.
  Result<domain::Principal> Authenticate(const std::string& token);

  // For each token, whether it still belongs to a live session, as Authenticate decides, without
  // sliding anything: what keeps open live connections honest after a logout, a password change
  // or an account's deletion or deactivation, on whichever instance that happened.
  Result<std::vector<bool>> SessionsLive(const std::vector<std::string>& tokens);

  // Changes the caller's password after checking the current one; revokes all their sessions.
  Status ChangePassword(const domain::RequestContext& context, const std::string& current_password,
                        const std::string& new_password);

 private:
  storage::Store& store_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  AuthOptions options_;
  std::string dummy_hash_;  // verified against when no account matches, so timing tells nothing
  SessionTouches touches_;
};

}  // namespace clinic::service
