/**
 * Test helpers (`@companion/storage/testing`): a real S3-compatible server on loopback (s3rver) that
 * checks SigV4 signatures and presigned expiry, so tests drive the real AWS SDK end to end.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The part of s3rver (CommonJS, no types of its own) that this helper uses. */
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  configureBuckets: Array<{ name: string }>;
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)("@20minutes/s3rver") as S3rverClass;

export interface TestS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  bucket: string;
  region: string;
  /** s3rver's one built-in account. */
  accessKeyId: string;
  secretAccessKey: string;
  /** The S3_* variables that point the server at this store. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestS3(options: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? "companion-media";
  const directory = await mkdtemp(join(tmpdir(), "companion-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  return {
    endpoint,
    port,
    bucket,
    region: "us-east-1",
    ...credentials,
    env: {
      S3_BUCKET: bucket,
      S3_REGION: "us-east-1",
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    async close() {
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
