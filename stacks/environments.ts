import { PROFILES, PlatformProfile } from 'msa-platform-blueprint';

/** The platform's name in every resource name, path and scope. */
export const PLATFORM_NAME = 'shop';

/** Resolves a profile name given on the command line (`-c profile=prod`). */
export function profileNamed(name: string | undefined): PlatformProfile {
  const chosen = name ?? 'dev';
  const profile = PROFILES[chosen];
  if (profile === undefined) {
    throw new Error(`Unknown profile '${chosen}': use one of ${Object.keys(PROFILES).join(', ')} (cdk ... -c profile=dev)`);
  }
  return profile;
}
