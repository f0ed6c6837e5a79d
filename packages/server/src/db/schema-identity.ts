/** Tables of the identity module (auth, second factors, approvals), created by migration 003. */
export interface IdentityTables {
  auth_sessions: AuthSessionTable;
  mfa_factors: MfaFactorTable;
  recovery_codes: RecoveryCodeTable;
  auth_challenges: AuthChallengeTable;
  api_keys: ApiKeyTable;
  auth_keys: AuthKeyTable;
  approval_policies: ApprovalPolicyTable;
  approvals: ApprovalTable;
  approval_keys: ApprovalKeyTable;
  approval_pushes: ApprovalPushTable;
}

/** One sign-in; its access tokens are `sessions` rows pointing here. */
export interface AuthSessionTable {
  id: string;
  tenant_id: string;
  staff_id: string;
  register_id: string | null;
  level: 'full' | 'mfa' | 'enrol';
  method: string;
  refresh_hash: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface MfaFactorTable {
  id: string;
  tenant_id: string;
  staff_id: string;
  kind: 'totp' | 'sms' | 'passkey';
  label: string;
  /** sealed TOTP seed, or the phone number through FieldCipher */
  secret: string | null;
  last_step: number | null;
  credential_id: string | null;
  public_key: string | null;
  counter: number | null;
  transports: string | null;
  backed_up: number | null;
  device_type: string | null;
  confirmed_at: string | null;
  created_at: string;
  last_used_at: string | null;
}

export interface RecoveryCodeTable {
  id: string;
  tenant_id: string;
  staff_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface AuthChallengeTable {
  id: string;
  tenant_id: string | null;
  staff_id: string | null;
  purpose: string;
  challenge: string;
  attempts: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: string;
  /** JSON array of permissions */
  scopes: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuthKeyTable {
  tenant_id: string;
  purpose: 'seal' | 'approval';
  key_id: string;
  secret: string;
  created_at: string;
}

export interface ApprovalPolicyTable {
  tenant_id: string;
  policy: string;
  updated_by: string | null;
  updated_at: string;
}

export interface ApprovalTable {
  id: string;
  tenant_id: string;
  kind: string;
  /** canonical JSON of the action being approved */
  action: string;
  register_id: string | null;
  requested_by: string;
  approved_by: string | null;
  method: string | null;
  status: 'pending' | 'approved' | 'denied' | 'consumed';
  key_id: string | null;
  signature: string | null;
  created_at: string;
  decided_at: string | null;
  expires_at: string;
  consumed_at: string | null;
}

/** An approval signing key (migration 010): `secret` is a keyring ciphertext, never the key. */
export interface ApprovalKeyTable {
  tenant_id: string;
  key_id: string;
  version: number;
  secret: string;
  status: 'active' | 'retired';
  created_at: string;
  retired_at: string | null;
}

/** A manager told about a pending approval (migration 010). */
export interface ApprovalPushTable {
  id: string;
  tenant_id: string;
  approval_id: string;
  staff_id: string;
  /** the PushSender's name: `outbox`, `http` */
  channel: string;
  status: 'sent' | 'failed';
  created_at: string;
}
