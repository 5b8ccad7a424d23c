#include "clinic/service/auth_service.hpp"

#include <fmt/format.h>

#include "clinic/common/crypto.hpp"
#include "clinic/domain/validation.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/create_account_once.hpp"

namespace clinic::service {
namespace {

using domain::Principal;
using domain::Role;
using storage::InTransaction;
using storage::ThrottleSubject;
using storage::Transaction;
using storage::TxMode;

// A session's token: 32 random bytes, so it cannot be guessed; only its SHA-256 is stored.
constexpr std::size_t kTokenBytes = 32;
// Sessions in use are written back (sliding expiry) at most this often, so authenticating a
// request is a read, not a write, in the common case.
constexpr auto kTouchInterval = std::chrono::seconds(60);
// How often the uses of sessions noted since are written back (SessionTouches).
constexpr auto kTouchFlushPeriod = std::chrono::seconds(1);

// The audit action of a self-registration, and the operation its Idempotency-Key is kept for.
// The caller is anonymous, so every anonymous caller shares the keys' scope: a retry is answered
// only with the account's password (ConfirmRetry), so a key tells nothing to anyone else.
constexpr std::string_view kRegisterOperation = "auth.register";

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

// Whether the account behind a session may still act: it exists, is not deleted and, for a
// doctor, is active.
bool AccountMayAct(const storage::AccountStanding& account) {
  return account.exists && !account.deleted && account.active;
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
  CLINIC_ASSIGN_OR_RETURN(auto found, tx.sessions().FindWithAccountByTokenHash(Sha256Hex(token)));
  if (!found || found->session.revoked_at || found->session.expires_at <= now) {
    return Fail(Error::Unauthenticated("the session has expired or was ended"));
  }
  if (!AccountMayAct(found->account)) {
    return Fail(Error::Unauthenticated("the account can no longer log in"));
  }
  return std::move(found->session);
}

Error EmailTaken() {
  return Error{ErrorCode::kAlreadyExists,
               "an account with this email already exists",
               {{"email", "is already registered"}}};
}

// One throttle counter an attempt must pass, and the rule it is held to.
struct Gate {
  ThrottleSubject kind;
  std::string subject;
  domain::ThrottleRule rule;
};

// Reserves one attempt on every gate, in the order given (always the same order of kinds, so two
// attempts never wait on each other's rows crosswise). Admitted: each counter counts one more,
// and the answer is 0. Refused: nothing is counted but the block that refusal starts, and the
// answer is how long to wait. The caller commits either way.
Result<std::chrono::seconds> Reserve(Transaction& tx, const std::vector<Gate>& gates, Instant now) {
  std::vector<domain::ThrottleCounter> counters;
  std::vector<domain::ThrottleDecision> decisions;
  std::chrono::seconds wait{0};
  for (const auto& gate : gates) {
    CLINIC_ASSIGN_OR_RETURN(auto counter, tx.auth_throttle().Lock(gate.kind, gate.subject, now));
    decisions.push_back(domain::AdmitAttempt(counter, gate.rule, now));
    counters.push_back(counter);
    if (!decisions.back().admitted) wait = std::max(wait, decisions.back().retry_after);
  }
  for (std::size_t i = 0; i < gates.size(); ++i) {
    // Admitted counters are saved only when every gate admitted the attempt.
    if (wait.count() > 0 && decisions[i].admitted) continue;
    CLINIC_TRY_STATUS(tx.auth_throttle().Save(gates[i].kind, gates[i].subject, counters[i], now));
  }
  return wait;
}

// An attempt that succeeded no longer counts on its gates.
Status Release(Transaction& tx, const std::vector<Gate>& gates, Instant now) {
  for (const auto& gate : gates) {
    CLINIC_ASSIGN_OR_RETURN(auto counter, tx.auth_throttle().Lock(gate.kind, gate.subject, now));
    domain::ReleaseAttempt(counter);
    CLINIC_TRY_STATUS(tx.auth_throttle().Save(gate.kind, gate.subject, counter, now));
  }
  return Ok();
}

// The gates of a password check for `account` from `address`. The account at this address is
// always counted. The account as a whole and the address as a whole are counted only where the
// account has not logged in from this address lately: guessing from elsewhere cannot lock a user
// out where they work, and failures on other accounts from a shared address cannot either.
std::vector<Gate> PasswordGates(const AuthOptions& options, const std::string& account,
                                const std::string& address, bool known_address) {
  const domain::ThrottleRule per_account{.limit = options.max_failures_per_account,
                                         .window = options.throttle_window,
                                         .max_block = options.max_block};
  std::vector<Gate> gates{
      {ThrottleSubject::kAccountAtAddress, fmt::format("{}|{}", account, address), per_account}};
  if (!known_address) {
    gates.push_back({ThrottleSubject::kAccount, account, per_account});
    gates.push_back({ThrottleSubject::kAddress,
                     address,
                     {.limit = options.max_failures_per_address,
                      .window = options.throttle_window,
                      .max_block = options.max_block}});
  }
  return gates;
}

// A password check for `account` from `address`: its gates, and how long to wait (0: it may run
// now, and is counted until Release).
struct PasswordCheck {
  std::vector<Gate> gates;
  std::chrono::seconds wait{0};
};

Result<PasswordCheck> ReservePasswordCheck(Transaction& tx, const AuthOptions& options,
                                           const std::string& account, const std::string& address,
                                           Instant now) {
  CLINIC_ASSIGN_OR_RETURN(const bool known, tx.auth_throttle().IsKnownAddress(
                                                account, address, now - kKnownLoginAddressPeriod));
  PasswordCheck check{.gates = PasswordGates(options, account, address, known)};
  CLINIC_ASSIGN_OR_RETURN(check.wait, Reserve(tx, check.gates, now));
  return check;
}

Error Throttled(std::chrono::seconds wait, std::string_view what) {
  return Error::ResourceExhausted(fmt::format("too many {}; try again later", what),
                                  static_cast<int>(wait.count()));
}

}  // namespace

AuthService::AuthService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock,
                         AuthOptions options)
    : store_(store),
      hasher_(hasher),
      clock_(clock),
      options_(options),
      dummy_hash_(hasher.Hash(RandomToken(16)).value_or("")),
      touches_(store, kTouchFlushPeriod) {}

Result<Created<domain::Patient>> AuthService::Register(const Registration& registration,
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
  // Every registration from an address counts, taken email or retry or not; a taken email and a
  // retry are answered before hashing, so a flood of either costs lookups, not hashes.
  const Instant now = clock_.Now();
  const std::vector<Gate> gates{{ThrottleSubject::kRegistration,
                                 context.client_addr.value_or("unknown"),
                                 {.limit = options_.max_registrations_per_address,
                                  .window = options_.registration_window,
                                  .max_block = options_.registration_window}}};
  const auto load = [](Transaction& tx, Id id) { return tx.patients().Get(id); };
  struct Admission {
    std::chrono::seconds wait{0};
    std::optional<Created<domain::Patient>> replay;
    bool taken = false;
  };
  CLINIC_ASSIGN_OR_RETURN(
      auto admission,
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<Admission> {
        CLINIC_ASSIGN_OR_RETURN(const auto wait, Reserve(tx, gates, now));
        if (wait.count() > 0) return Admission{.wait = wait};
        CLINIC_ASSIGN_OR_RETURN(auto replay,
                                ReplayEarlier<Id>(tx, context, kRegisterOperation, load));
        if (replay) return Admission{.replay = std::move(replay)};
        CLINIC_ASSIGN_OR_RETURN(const auto found, tx.patients().FindByEmail(patient.email));
        return Admission{.taken = found.has_value()};
      }));
  if (admission.wait.count() > 0) {
    return Fail(Throttled(admission.wait, "registrations from this address"));
  }
  if (admission.replay) {
    return ConfirmRetry(hasher_, std::move(*admission.replay), registration.password);
  }
  if (admission.taken) return Fail(EmailTaken());

  auto created = HashAndCreateOnce(
      store_, clock_, hasher_, context, kRegisterOperation, registration.password,
      [&](Transaction& tx, const std::optional<std::string>& password_hash) -> Result<Id> {
        patient.password_hash = password_hash;
        CLINIC_ASSIGN_OR_RETURN(auto stored, tx.patients().Create(patient));
        domain::RequestContext as_patient = context;
        as_patient.actor = {Role::kPatient, stored.id};
        CLINIC_TRY_STATUS(Audit(tx, clock_, as_patient, kRegisterOperation, "patient", stored.id));
        return stored.id;
      },
      load);
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

  // The attempt is counted before any password is checked: concurrent guesses queue on the
  // counters' rows, so no more than the limit are ever checked, and a throttled caller costs no
  // hash at all.
  struct Admission {
    PasswordCheck check;
    std::vector<Candidate> candidates;
  };
  CLINIC_ASSIGN_OR_RETURN(
      auto admission,
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<Admission> {
        Admission admitted;
        CLINIC_ASSIGN_OR_RETURN(admitted.check,
                                ReservePasswordCheck(tx, options_, login, address, now));
        if (admitted.check.wait.count() > 0) return admitted;
        CLINIC_ASSIGN_OR_RETURN(admitted.candidates, FindCandidates(tx, login));
        return admitted;
      }));
  if (admission.check.wait.count() > 0) {
    return Fail(Throttled(admission.check.wait, "failed password checks"));
  }
  const auto& gates = admission.check.gates;
  const auto& candidates = admission.candidates;

  // Every account the login names costs one verification, whether it may log in or not, and no
  // account costs one too: how long a failure takes tells nothing of the account's state.
  const Candidate* match = nullptr;
  for (const auto& candidate : candidates) {
    const bool verified = hasher_.Verify(candidate.password_hash, password);
    if (verified && candidate.can_log_in && match == nullptr) match = &candidate;
  }
  if (candidates.empty()) static_cast<void>(hasher_.Verify(dummy_hash_, password));

  if (match == nullptr) {
    // The failure stays counted: it was reserved before the check.
    CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
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
    CLINIC_TRY_STATUS(Release(tx, gates, now));
    CLINIC_TRY_STATUS(tx.auth_throttle().RememberAddress(login, address, now));
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
  CLINIC_ASSIGN_OR_RETURN(auto session,
                          InTransaction(store_, TxMode::kSingleRead, [&](Transaction& tx) {
                            return FindLiveSession(tx, token, now);
                          }));
  if (now - session.last_seen_at >= kTouchInterval) {
    const Instant expires =
        std::min(now + options_.idle_timeout, session.created_at + options_.max_lifetime);
    touches_.Note(session.id, now, expires);
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
  // Guessing the current password through this route counts on the same counters as the login
  // form, so a stolen session cannot try passwords faster than the login form allows.
  const Instant now = clock_.Now();
  const std::string subject = domain::NormalizeEmail(account.email);
  const std::string address = context.client_addr.value_or("unknown");
  CLINIC_ASSIGN_OR_RETURN(const auto admitted,
                          InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) {
                            return ReservePasswordCheck(tx, options_, subject, address, now);
                          }));
  if (admitted.wait.count() > 0) return Fail(Throttled(admitted.wait, "failed password checks"));
  const auto& gates = admitted.gates;
  domain::Validator check;
  if (hasher_.Verify(account.password_hash, current_password)) {
    // Right: it was no wrong guess.
    CLINIC_TRY_STATUS(
        store_.Run(TxMode::kWrite, [&](Transaction& tx) { return Release(tx, gates, now); }));
  } else {
    CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
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
