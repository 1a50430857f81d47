// Authentication assurance levels (`acr` values). A password sign-in is the baseline; the step-up
// issue adds `mfa` (TOTP) and `phr` (phishing-resistant passkey).
export const ACR = {
  password: 'urn:leash:acr:pwd',
  mfa: 'urn:leash:acr:mfa',
  phishingResistant: 'urn:leash:acr:phr',
} as const;

export type AcrValue = (typeof ACR)[keyof typeof ACR];

// The one ranking of assurance levels (issue 13): every "is this strong enough?" compares ranks.
const RANK = new Map<string, number>([
  [ACR.password, 0],
  [ACR.mfa, 1],
  [ACR.phishingResistant, 2],
]);

/** How strong an acr is: 0 for a password (or none, or one we do not know), 1 multi-factor, 2 phishing-resistant. */
export function acrRank(acr: string | null | undefined): number {
  return (acr ? RANK.get(acr) : undefined) ?? 0;
}

/** Multi-factor or stronger: what a step-up (RFC 9470) and a strong approval ask for. */
export function isStrongAcr(acr: string | null | undefined): boolean {
  return acrRank(acr) >= acrRank(ACR.mfa);
}
