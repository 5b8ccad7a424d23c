#include "clinic/service/auth_service.hpp"

#include <fmt/format.h>

#include "clinic/common/crypto.hpp"
#include "clinic/domain/validation.hpp"
#include "clinic/domain/validator.hpp"

namespace clinic::service {
namespace {

using domain::Principal;
using domain::Role;
using storage::InTransaction;
using storage::LoginSubject;
using storage::Transaction;
using storage::TxMode;

// A session's token: 32 random bytes, so it cannot be guessed; only its SHA-256 is stored.
constexpr std::size_t kTokenBytes = 32;
// Sessions in use are written back (sliding expiry) at most this often, so authenticating a
// request is a read, not a write, in the common case.
constexpr auto kTouchInterval = std::chrono::seconds(60);
// Failed-login rows older than this are pruned.
constexpr auto kFailureRetention = std::chrono::hours(1);

Error WrongCredentials() { return Error::Unauthenticated("the login or password is wrong"); }

// One account that the login names, with what is needed to decide whether it may log in.
struct Candidate {
  Principal principal;
  std::string password_hash;
  bool can_log_in = false;  // not deleted, and for doctors active
};

Result<std::vector<Candidate>> FindCandidates(Transaction& tx, const std::string& login) {
  std::vector<Candidate> candidates;
  CLINIC_ASSIGN_OR_RETURN(auto admin, tx.admins().FindByLogin(login));
  if (admin) {
    candidates.push_back({{Role::kAdmin, admin->id}, admin->password_hash, !admin->deleted_at});
  }
  if (login.find('@') == std::string::npos) return candidates;
  CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().FindByEmail(login));
  if (doctor) {
    candidates.push_back({{Role::kDoctor, doctor->id},
                          doctor->password_hash,
                          !doctor->deleted_at && doctor->is_active});
  }
  CLINIC_ASSIGN_OR_RETURN(auto patient, tx.patients().FindByEmail(login));
  if (patient && patient->password_hash) {
    candidates.push_back(
        {{Role::kPatient, patient->id}, *patient->password_hash, !patient->deleted_at});
  }
  return candidates;
}

// Whether the account behind a session may still act.
Result<bool> AccountIsLive(Transaction& tx, const Principal& who) {
  switch (who.role) {
    case Role::kAdmin: {
      CLINIC_ASSIGN_OR_RETURN(auto admin, tx.admins().Get(who.id));
      return !admin.deleted_at;
    }
    case Role::kDoctor: {
      CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().Get(who.id));
      return !doctor.deleted_at && doctor.is_active;
    }
    case Role::kPatient: {
      CLINIC_ASSIGN_OR_RETURN(auto patient, tx.patients().Get(who.id));
      return !patient.deleted_at;
    }
    case Role::kSystem:
      return false;
  }
  return false;
}

// The email and password hash of a logged-in account.
struct Credentials {
  std::string email;
  std::string password_hash;
};

Result<Credentials> LoadCredentials(Transaction& tx, const Principal& who) {
  switch (who.role) {
    case Role::kAdmin:
      return tx.admins().Get(who.id).map([](const domain::Admin& a) {
        return Credentials{a.email, a.password_hash};
      });
    case Role::kDoctor:
      return tx.doctors().Get(who.id).map([](const domain::Doctor& d) {
        return Credentials{d.email, d.password_hash};
      });
    case Role::kPatient:
      return tx.patients().Get(who.id).map([](const domain::Patient& p) {
        return Credentials{p.email, p.password_hash.value_or("")};
      });
    case Role::kSystem:
      break;
  }
  return Fail(Error::PermissionDenied("only accounts have passwords"));
}

Status StorePasswordHash(Transaction& tx, const Principal& who, const std::string& hash) {
  switch (who.role) {
    case Role::kAdmin: {
      CLINIC_ASSIGN_OR_RETURN(auto admin, tx.admins().Get(who.id));
      admin.password_hash = hash;
      return tx.admins().Update(admin).map([](auto&&) {});
    }
    case Role::kDoctor: {
      CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().Get(who.id));
      doctor.password_hash = hash;
      return tx.doctors().Update(doctor).map([](auto&&) {});
    }
    case Role::kPatient: {
      CLINIC_ASSIGN_OR_RETURN(auto patient, tx.patients().Get(who.id));
      patient.password_hash = hash;
      return tx.patients().Update(patient).map([](auto&&) {});
    }
    case Role::kSystem:
      break;
  }
  return Fail(Error::PermissionDenied("only accounts have passwords"));
}

// The session `token` opens: kUnauthenticated when it is unknown, revoked or expired, or its
// account was deleted or deactivated since.
Result<domain::Session> FindLiveSession(Transaction& tx, const std::string& token, Instant now) {
  if (token.empty() || token.size() > 128) return Fail(Error::Unauthenticated("not logged in"));
  CLINIC_ASSIGN_OR_RETURN(auto found, tx.sessions().FindByTokenHash(Sha256Hex(token)));
  if (!found || found->revoked_at || found->expires_at <= now) {
    return Fail(Error::Unauthenticated("the session has expired or was ended"));
  }
  CLINIC_ASSIGN_OR_RETURN(bool live, AccountIsLive(tx, {found->role, found->user_id}));
  if (!live) return Fail(Error::Unauthenticated("the account can no longer log in"));
  return std::move(*found);
}

Error EmailTaken() {
  return Error{ErrorCode::kAlreadyExists,
               "an account with this email already exists",
               {{"email", "is already registered"}}};
}

// kResourceExhausted (with when to try again) once `subject` failed `limit` times in the window.
Status NotThrottled(Transaction& tx, LoginSubject kind, const std::string& subject, int limit,
                    Instant now, std::chrono::seconds window) {
  CLINIC_ASSIGN_OR_RETURN(auto failures,
                          tx.login_attempts().FailuresSince(kind, subject, now - window));
  if (failures.count < limit) return Ok();
  const auto wait = (failures.oldest.value_or(now) + window) - now;
  return Fail(Error::ResourceExhausted("too many failed password checks; try again later",
                                       static_cast<int>(std::max<std::int64_t>(1, wait.count()))));
}

}  // namespace

AuthService::AuthService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock,
                         AuthOptions options)
    : store_(store),
      hasher_(hasher),
      clock_(clock),
      options_(options),
      dummy_hash_(hasher.Hash(RandomToken(16)).value_or("")) {}

Result<domain::Patient> AuthService::Register(const Registration& registration,
                                              const domain::RequestContext& context) {
  domain::Validator check;
  domain::Patient patient;
  patient.first_name = check.Text("first_name", registration.first_name, 100);
  patient.last_name = check.Text("last_name", registration.last_name, 100);
  patient.email = check.Email("email", registration.email);
  check.Password("password", registration.password, patient.email);
  patient.phone = check.Phone("phone", registration.phone);
  check.BirthDate("date_of_birth", registration.date_of_birth, clock_.Now());
  patient.date_of_birth = registration.date_of_birth;
  patient.gender = registration.gender;
  CLINIC_TRY_STATUS(check.Finish("the registration is not valid"));
  // A taken email is answered before hashing: a flood of duplicate registrations costs lookups.
  CLINIC_ASSIGN_OR_RETURN(
      const bool taken, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
        return tx.patients().FindByEmail(patient.email).map([](const auto& found) {
          return found.has_value();
        });
      }));
  if (taken) return Fail(EmailTaken());
  CLINIC_ASSIGN_OR_RETURN(patient.password_hash, hasher_.Hash(registration.password));

  auto created = InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) {
    return tx.patients().Create(patient).and_then([&](domain::Patient stored) {
      domain::RequestContext as_patient = context;
      as_patient.actor = {Role::kPatient, stored.id};
      return Audit(tx, clock_, as_patient, "auth.register", "patient", stored.id).map([&] {
        return stored;
      });
    });
  });
  if (!created && created.error().code == ErrorCode::kAlreadyExists) return Fail(EmailTaken());
  return created;
}

Result<LoginResult> AuthService::Login(const std::string& login_text, const std::string& password,
                                       const domain::RequestContext& context) {
  const std::string login = domain::NormalizeEmail(login_text);
  if (login.empty() || login.size() > 255 || password.size() > 1024) {
    return Fail(WrongCredentials());
  }
  const Instant now = clock_.Now();
  const std::string address = context.client_addr.value_or("unknown");

  // Throttled callers are refused before any password is checked.
  CLINIC_ASSIGN_OR_RETURN(
      auto candidates,
      InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<std::vector<Candidate>> {
        CLINIC_TRY_STATUS(NotThrottled(tx, LoginSubject::kAccount, login,
                                       options_.max_failures_per_account, now,
                                       options_.throttle_window));
        CLINIC_TRY_STATUS(NotThrottled(tx, LoginSubject::kAddress, address,
                                       options_.max_failures_per_address, now,
                                       options_.throttle_window));
        return FindCandidates(tx, login);
      }));

  // Every account the login names costs one verification, whether it may log in or not, and no
  // account costs one too: how long a failure takes tells nothing of the account's state.
  const Candidate* match = nullptr;
  for (const auto& candidate : candidates) {
    CLINIC_ASSIGN_OR_RETURN(const bool verified, hasher_.Verify(candidate.password_hash, password));
    if (verified && candidate.can_log_in && match == nullptr) match = &candidate;
  }
  if (candidates.empty()) CLINIC_TRY_STATUS(hasher_.Verify(dummy_hash_, password));

  if (match == nullptr) {
    CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
      CLINIC_TRY_STATUS(tx.login_attempts().Prune(now - kFailureRetention));
      CLINIC_TRY_STATUS(tx.login_attempts().RecordFailure(LoginSubject::kAccount, login, now));
      CLINIC_TRY_STATUS(tx.login_attempts().RecordFailure(LoginSubject::kAddress, address, now));
      // The caller is anonymous; the row names the account that was tried, if there is one.
      if (candidates.empty()) {
        return Audit(tx, clock_, context, "auth.login.failure", "account", std::nullopt);
      }
      const Principal& tried = candidates.front().principal;
      return Audit(tx, clock_, context, "auth.login.failure", std::string(domain::Name(tried.role)),
                   tried.id);
    }));
    return Fail(WrongCredentials());
  }

  LoginResult result;
  result.token = RandomToken(kTokenBytes);
  result.expires_at = now + options_.idle_timeout;
  result.user = match->principal;
  CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    domain::Session session;
    session.token_hash = Sha256Hex(result.token);
    session.role = match->principal.role;
    session.user_id = match->principal.id;
    session.created_at = now;
    session.last_seen_at = now;
    session.expires_at = result.expires_at;
    session.client_addr = context.client_addr;
    CLINIC_ASSIGN_OR_RETURN(auto stored, tx.sessions().Create(session));
    if (match->principal.role == Role::kAdmin) {
      CLINIC_TRY_STATUS(tx.admins().RecordLogin(match->principal.id, now));
    }
    domain::RequestContext as_user = context;
    as_user.actor = match->principal;
    return Audit(tx, clock_, as_user, "auth.login.success", "session", stored.id);
  }));
  return result;
}

Status AuthService::Logout(const std::string& token, const domain::RequestContext& context) {
  const Instant now = clock_.Now();
  return store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_ASSIGN_OR_RETURN(auto session, tx.sessions().FindByTokenHash(Sha256Hex(token)));
    if (!session || session->revoked_at || session->expires_at <= now) {
      return Fail(Error::Unauthenticated("not logged in"));
    }
    CLINIC_TRY_STATUS(tx.sessions().Revoke(session->id, now));
    return Audit(tx, clock_, context, "auth.logout", "session", session->id);
  });
}

Result<Principal> AuthService::Authenticate(const std::string& token) {
  const Instant now = clock_.Now();
  CLINIC_ASSIGN_OR_RETURN(auto session, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
                            return FindLiveSession(tx, token, now);
                          }));
  if (now - session.last_seen_at >= kTouchInterval) {
    const Instant expires =
        std::min(now + options_.idle_timeout, session.created_at + options_.max_lifetime);
    CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) {
      return tx.sessions().Touch(session.id, now, expires);
    }));
  }
  return Principal{session.role, session.user_id};
}

Result<std::vector<bool>> AuthService::SessionsLive(const std::vector<std::string>& tokens) {
  const Instant now = clock_.Now();
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<std::vector<bool>> {
    std::vector<bool> live;
    live.reserve(tokens.size());
    for (const auto& token : tokens) {
      auto session = FindLiveSession(tx, token, now);
      if (!session && session.error().code != ErrorCode::kUnauthenticated) {
        return Fail(session.error());
      }
      live.push_back(session.has_value());
    }
    return live;
  });
}

Status AuthService::ChangePassword(const domain::RequestContext& context,
                                   const std::string& current_password,
                                   const std::string& new_password) {
  const Principal who = context.actor;
  CLINIC_ASSIGN_OR_RETURN(auto account, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
                            return LoadCredentials(tx, who);
                          }));
  // Guessing the current password through this route counts toward the same per-account
  // throttle as logins, so a stolen session cannot try passwords faster than the login form.
  const Instant now = clock_.Now();
  const std::string subject = domain::NormalizeEmail(account.email);
  CLINIC_TRY_STATUS(store_.Run(TxMode::kRead, [&](Transaction& tx) {
    return NotThrottled(tx, LoginSubject::kAccount, subject, options_.max_failures_per_account, now,
                        options_.throttle_window);
  }));
  domain::Validator check;
  CLINIC_ASSIGN_OR_RETURN(const bool current_matches,
                          hasher_.Verify(account.password_hash, current_password));
  if (!current_matches) {
    CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
      CLINIC_TRY_STATUS(tx.login_attempts().RecordFailure(LoginSubject::kAccount, subject, now));
      return Audit(tx, clock_, context, "auth.password_change.failure",
                   std::string(domain::Name(who.role)), who.id);
    }));
    check.Add("current_password", "is not the current password");
  }
  check.Password("new_password", new_password, account.email);
  CLINIC_TRY_STATUS(check.Finish("the password was not changed"));
  CLINIC_ASSIGN_OR_RETURN(auto new_hash, hasher_.Hash(new_password));

  return store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_TRY_STATUS(StorePasswordHash(tx, who, new_hash));
    CLINIC_TRY_STATUS(tx.sessions().RevokeAllForUser(who.role, who.id, now));
    return Audit(tx, clock_, context, "auth.password_change", std::string(domain::Name(who.role)),
                 who.id);
  });
}

}  // namespace clinic::service
