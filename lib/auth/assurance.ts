// Authentication assurance levels (`acr` values). A password sign-in is the baseline; the step-up
// issue adds `mfa` (TOTP) and `phr` (phishing-resistant passkey).
export const ACR = {
  password: 'urn:leash:acr:pwd',
  mfa: 'urn:leash:acr:mfa',
  phishingResistant: 'urn:leash:acr:phr',
} as const;

export type AcrValue = (typeof ACR)[keyof typeof ACR];
