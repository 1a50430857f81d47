// The OS keychain, through @napi-rs/keyring (an optional dependency with prebuilt binaries): macOS
// Keychain, Windows Credential Manager, and on Linux the Secret Service (GNOME Keyring, KWallet).
// On Linux the entry is pinned to the Secret Service: the library's other Linux store, the kernel
// keyring, forgets its entries at logout and is not shared between login sessions (a terminal and
// the editor that spawns `leash mcp` may not see the same one), so it is no place for a key.
// Headless machines (CI, containers, servers) have no Secret Service: every call then throws, and
// the credential store falls back to its key file.

/** A small secret store: one string per account name. `get` answers null when there is no entry and throws when there is no usable keychain. */
export type Keychain = {
  readonly name: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
};

const SERVICE = 'leash';

type KeyringModule = {
  AsyncEntry: new (
    service: string,
    account: string,
    options?: { linux?: { store?: 'secret-service' | 'keyutils' } },
  ) => {
    getPassword(): Promise<string | null>;
    setPassword(password: string): Promise<void>;
    deletePassword(): Promise<boolean>;
  };
};

/** The system keychain, or null when @napi-rs/keyring is not installed or has no binary for this platform. */
export async function systemKeychain(): Promise<Keychain | null> {
  let keyring: KeyringModule;
  try {
    keyring = (await import('@napi-rs/keyring')) as unknown as KeyringModule;
  } catch {
    return null;
  }
  const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  const entry = (account: string) => new keyring.AsyncEntry(SERVICE, account, options);
  const name = process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service';
  return {
    name,
    // async: the entry's constructor throws at once when the store is unavailable.
    get: async (account) => entry(account).getPassword(),
    set: async (account, secret) => entry(account).setPassword(secret),
    delete: async (account) => {
      await entry(account).deletePassword();
    },
  };
}
