import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';

/**
 * The fields QDesk reads from a Google service-account key file (Firebase console > Project settings > Service
 * accounts > Generate new private key). Other fields in the file are ignored.
 * @public
 */
export interface FcmServiceAccount {
  /** The service account's email: the JWT issuer. */
  client_email: string;
  /** PEM private key (PKCS#8). Escaped `\n` sequences, as environment variables often carry them, are accepted. */
  private_key: string;
  /** Id of the key, sent as the JWT `kid`. */
  private_key_id?: string;
  /** The Firebase project. */
  project_id?: string;
  /** OAuth token endpoint (default `https://oauth2.googleapis.com/token`). */
  token_uri?: string;
}

const isPrivateKey = (pem: string) => {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
};

export const serviceAccountSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z.looseObject({
    client_email: z.email(),
    private_key: z
      .string()
      .transform((pem) => pem.replace(/\\n/g, '\n'))
      .refine(isPrivateKey, 'expected the PEM RSA private key from the service-account file'),
    private_key_id: z.string().optional(),
    project_id: z.string().min(1).optional(),
    token_uri: z.url().optional(),
  }),
);
