// gRPC server reflection on the gateway, checked with grpcurl (Go, an implementation
// independent of ours) and without any of our .proto files: list the services, describe a
// method, call GetAsset from the descriptors alone (v1), and ask the v1alpha service directly.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createEvent, stack, testVideo } from './support/api.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

/** grpcurl, built by `node scripts/bootstrap.mjs provision` (GRPCURL_BIN) like the Temporal CLI. */
function grpcurlBin(): string {
  const bin = process.env.GRPCURL_BIN || path.join(ROOT, '.cache', 'bin', 'grpcurl');
  if (!existsSync(bin)) throw new Error(`grpcurl is not at ${bin}: run \`node scripts/bootstrap.mjs provision\` (it needs Go) or set GRPCURL_BIN`);
  return bin;
}

async function grpcurl(...args: string[]): Promise<string> {
  // No -proto/-protoset: everything grpcurl knows comes from the server's reflection service.
  const { stdout } = await run(grpcurlBin(), ['-plaintext', '-max-time', '20', ...args], { cwd: '/' });
  return stdout;
}

describe('gRPC server reflection', () => {
  let assetId = '';
  beforeAll(async () => {
    const event = await createEvent(await testVideo('reflection-test/vod.mp4'));
    const r = await api('POST', '/api/asset/image/', { eventId: event.id, name: 'reflected', time: '00:00:01' });
    expect(r.status).toBe(200);
    assetId = r.body.id;
  });

  it('lists the services (v1)', async () => {
    const services = (await grpcurl(stack().grpcAddress, 'list')).trim().split('\n').sort();
    expect(services).toEqual([
      'framesmith.v1.AssetService',
      'framesmith.v1.EventService',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
    expect(await grpcurl(stack().grpcAddress, 'list', 'framesmith.v1.AssetService')).toContain('framesmith.v1.AssetService.GetAsset');
  });

  it('describes a method and its message types', async () => {
    const method = await grpcurl(stack().grpcAddress, 'describe', 'framesmith.v1.AssetService.GetAsset');
    expect(method).toMatch(/rpc GetAsset \( \.framesmith\.v1\.GetAssetRequest \) returns \( \.framesmith\.v1\.Asset \)/);
    const message = await grpcurl(stack().grpcAddress, 'describe', 'framesmith.v1.Asset');
    expect(message).toContain('string state_string = 7;');
  });

  it('calls GetAsset with only what reflection told it', async () => {
    const out = await grpcurl('-H', `api-key: ${stack().apiKey}`, '-d', JSON.stringify({ id: assetId }), stack().grpcAddress, 'framesmith.v1.AssetService/GetAsset');
    const asset = JSON.parse(out);
    expect(asset.id).toBe(assetId);
    expect(asset.name).toBe('reflected');
    expect(asset.type).toBe('ASSET_TYPE_IMAGE');
  });

  it('answers on v1alpha too (older tools): services, and a file by symbol with its descriptor', async () => {
    const call = async (request: object) =>
      JSON.parse(await grpcurl('-d', JSON.stringify(request), stack().grpcAddress, 'grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'));
    const listed = await call({ listServices: '' });
    expect(listed.listServicesResponse.service.map((s: { name: string }) => s.name)).toContain('framesmith.v1.AssetService');
    const file = await call({ fileContainingSymbol: 'framesmith.v1.AssetService.GetAsset' });
    const descriptors = (file.fileDescriptorResponse.fileDescriptorProto as string[]).map((b64) => fromBinary(FileDescriptorProtoSchema, Buffer.from(b64, 'base64')));
    const assets = descriptors.find((d) => d.name === 'framesmith/v1/assets.proto')!;
    const service = assets.service.find((s) => s.name === 'AssetService')!;
    expect(service.method.find((m) => m.name === 'GetAsset')).toMatchObject({ inputType: '.framesmith.v1.GetAssetRequest', outputType: '.framesmith.v1.Asset' });
    const unknown = await call({ fileContainingSymbol: 'framesmith.v1.NoSuchThing' });
    expect(unknown.errorResponse).toMatchObject({ errorCode: 5 });
  });
});
