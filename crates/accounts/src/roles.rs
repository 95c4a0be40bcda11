use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUID v7), so inserts stay in index order.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A user's id.
    UserId
);
id_type!(
    /// An OPD's (agency's) id.
    OpdId
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Learner,
    Instructor,
    Mentor,
    Hr,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Learner, Role::Instructor, Role::Mentor, Role::Hr, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Instructor => "instructor",
            Role::Mentor => "mentor",
            Role::Hr => "hr",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// One role held by a user. Only `hr` may be scoped: `opd: Some(_)` limits the officer to the
/// users, enrolments and reports of that one OPD; `None` means regency-wide (BKPSDM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opd: Option<OpdId>,
}

impl RoleGrant {
    pub fn global(role: Role) -> Self {
        Self { role, opd: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmploymentType {
    #[serde(rename = "PNS")]
    Pns,
    #[serde(rename = "PPPK")]
    Pppk,
}

impl EmploymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pns => "PNS",
            Self::Pppk => "PPPK",
        }
    }
}

impl FromStr for EmploymentType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "PNS" => Ok(Self::Pns),
            "PPPK" | "P3K" => Ok(Self::Pppk),
            other => Err(format!("employment type must be PNS or PPPK, got {other:?}")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Id,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "id" => Ok(Self::Id),
            "en" => Ok(Self::En),
            other => Err(format!("language must be id or en, got {other:?}")),
        }
    }
}

/// What an hr officer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HrScope {
    /// Regency-wide hr, or an admin.
    All,
    /// Only these OPDs.
    Opds(Vec<OpdId>),
}

impl HrScope {
    pub fn covers(&self, opd: Option<OpdId>) -> bool {
        match self {
            HrScope::All => true,
            HrScope::Opds(opds) => opd.is_some_and(|o| opds.contains(&o)),
        }
    }
}

/// The authenticated user as the permission rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub opd: Option<OpdId>,
    pub roles: Vec<RoleGrant>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// The hr scope of this user: admins and unscoped hr see everything; scoped hr officers see
    /// their OPDs; everyone else has no hr scope at all.
    pub fn hr_scope(&self) -> Option<HrScope> {
        if self.is_admin() || self.roles.iter().any(|g| g.role == Role::Hr && g.opd.is_none()) {
            return Some(HrScope::All);
        }
        let opds: Vec<OpdId> =
            self.roles.iter().filter(|g| g.role == Role::Hr).filter_map(|g| g.opd).collect();
        (!opds.is_empty()).then_some(HrScope::Opds(opds))
    }

    /// May this user read the account of a user in `target_opd`?
    pub fn can_view_user(&self, target: UserId, target_opd: Option<OpdId>) -> bool {
        target == self.user_id || self.hr_scope().is_some_and(|s| s.covers(target_opd))
    }

    /// May this user create or edit accounts in `target_opd`, granting `roles`? Only admins grant
    /// instructor, hr or admin; a scoped hr officer manages learners and mentors of their own OPD.
    pub fn can_manage_user(&self, target_opd: Option<OpdId>, roles: &[RoleGrant]) -> bool {
        if self.is_admin() {
            return true;
        }
        let Some(scope) = self.hr_scope() else { return false };
        scope.covers(target_opd)
            && roles.iter().all(|g| matches!(g.role, Role::Learner | Role::Mentor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: Vec<RoleGrant>, opd: Option<OpdId>) -> Principal {
        Principal { user_id: UserId::new(), opd, roles }
    }

    #[test]
    fn learner_has_no_hr_scope() {
        let p = principal(vec![RoleGrant::global(Role::Learner)], None);
        assert_eq!(p.hr_scope(), None);
        assert!(!p.can_view_user(UserId::new(), None));
        assert!(!p.can_manage_user(None, &[RoleGrant::global(Role::Learner)]));
    }

    #[test]
    fn scoped_hr_sees_only_their_opd_and_cannot_grant_admin() {
        let mine = OpdId::new();
        let other = OpdId::new();
        let p = principal(vec![RoleGrant { role: Role::Hr, opd: Some(mine) }], Some(mine));
        assert!(p.can_view_user(UserId::new(), Some(mine)));
        assert!(!p.can_view_user(UserId::new(), Some(other)));
        assert!(!p.can_view_user(UserId::new(), None));
        assert!(p.can_manage_user(Some(mine), &[RoleGrant::global(Role::Learner)]));
        assert!(!p.can_manage_user(Some(other), &[RoleGrant::global(Role::Learner)]));
        assert!(!p.can_manage_user(Some(mine), &[RoleGrant::global(Role::Admin)]));
    }

    #[test]
    fn regency_hr_and_admin_see_all() {
        let hr = principal(vec![RoleGrant::global(Role::Hr)], None);
        assert_eq!(hr.hr_scope(), Some(HrScope::All));
        let admin = principal(vec![RoleGrant::global(Role::Admin)], None);
        assert!(admin.can_manage_user(None, &[RoleGrant::global(Role::Admin)]));
    }
}
