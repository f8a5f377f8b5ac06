/** An API key as stored: never the secret, only its hash. */
export type StoredApiKey = {
  keyHash: string;
  keyId: string;
  projectId: string;
  name: string;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
};

/** What authentication needs from storage; `services/server/src/storage/api-keys.ts` provides it. */
export interface ApiKeyStore {
  findByHash(keyHash: string): Promise<StoredApiKey | undefined>;
  create(key: StoredApiKey): Promise<void>;
  list(projectId: string): Promise<StoredApiKey[]>;
  /** Returns false when the project has no such active key. */
  revoke(projectId: string, keyId: string, at: Date): Promise<boolean>;
}

export const API_KEY_STORE = Symbol('ApiKeyStore');
