// Pins an import's output byte for byte: the preprocessed pixels of 60 generated Br35H-like scans
// (150-700 px, burned-in labels, graded and noisy backgrounds, augmented near-copies), their
// near-duplicate groups, splits and content hash. The expected hashes were computed by the code
// before the import was made faster (issue 17); any speed-up must leave every one unchanged,
// because a dataset's id is its content hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { importLimitsSchema } from '../../lib/contracts/import';
import { datasetHash } from '../../workers/data/dataset-store';
import { prepareDataset, type PreparedDataset } from '../../workers/data/import/process';
import { scanLayout } from '../../workers/data/import/layout';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { anomalySplit, stratifiedSplit } from '../../workers/data/splits';

const EXPECTED_IMAGES: Record<string, string> = {
  'no/no0.jpg': '7f7e5e46586545865ef85c0cc9335fda866b8f6e4546d67dc637ab5c12e7f02b',
  'no/no1.jpg': 'b65e033024697a11717663c5583f480b20c107c017d48bfffe56de05660e2896',
  'no/no10.jpg': 'c1c7d59f2a5a22ece2f8ea12532abd72f718f2dcf0b0fb3d43676f093f5f3155',
  'no/no11.jpg': '0da5079f49b6646b48c8781bf6b7500a8a0bc4c890e6e02e5a2d981c1685118d',
  'no/no12.jpg': '077e71e6a1a61c20f179629f8ca9386eeac3f09e871def5f53321f97c54cea35',
  'no/no13.jpg': 'e8d7904a64b20ea6a52704374306cb36dffde4c98fd5de98d773d06aeefd837f',
  'no/no14.jpg': 'c61adfc28452a0281e1701dacfc30e4f4b213da9ba27d7b6af064f9cf4998ee9',
  'no/no15.jpg': 'cb34982b34779299afc8f5b528e022ad104881c220b4074e49d9b7187f1a8383',
  'no/no16.jpg': '6996d3b08bdd6b0c7ef1a0edadba83e17ea5d3d6a6ffdad9e3efe25e12f833f2',
  'no/no17.jpg': '80984789871b253f652e84857a8fff8050210a30e1cfc76d0ceb6d4bec3b4a5c',
  'no/no18.jpg': '0f27f73905f5ee14ddada1e12324ca84c008e745d2f5f811517c701f3e12a324',
  'no/no19.jpg': '5e4a81f3aa137ee275bb34a390e710c584032f66dc884ecd36a9515e6a7d5be4',
  'no/no2.jpg': '1fc751ef5305201369a858765e27be72271efa3b179bdefdda07312f5ddf115f',
  'no/no20.jpg': 'd505e4c5860f27d3248b5192bb8f1ba40e27d72218f94f069bbcb837569c166e',
  'no/no21.jpg': '3c5ad52e212a2a18ad74bbbf6a9dc58b97dd5164937c22f13fc969bce6d387b5',
  'no/no22.jpg': '6c011e088fe34b116eda6a16b1e57d4d6829cbcacc3756ecdbc7f44d4709f364',
  'no/no23.jpg': '9bb97a7d53a3c6f5829a57fed8dfd622d720a3a28e5cae1e946966818e0c5eee',
  'no/no24.jpg': 'cb1e99826e4f2a5f6ed26480734b65133fbe2f4cc0588b9d79cf10ab2941f53e',
  'no/no25.jpg': '83bfe3aeedf519bf3a9f5de00fbff4f298e441e4631ce1904b828f0a07ef9db8',
  'no/no26.jpg': '6b751b1c343cff750f3e6fb85d9b577d841da0a34b2683c09dec4ac6cc4b2d41',
  'no/no27.jpg': '4d60481f26c7dd01c14bae6ba5003455ac161c8c6defc5a10ae8f45c9e0007b2',
  'no/no28.jpg': '122fa0af91f1b2be03d6976b8d59ff0421862de203631aa77c83097bbb15d93a',
  'no/no29.jpg': '4dc03671d6e236eba3cb84d1915c75aee4f567704de11b5b19c63d72eb2c34a7',
  'no/no3.jpg': '6095a5080e10dadfd09f13eeef8932cc6638e12eb55000ad42ec1c70a5ffe7ea',
  'no/no4.jpg': '35caa903a181098ba1b1e291ac948bc2f52bf4dd6c2b084e8d20e4e719a5d4dc',
  'no/no5.jpg': 'ffe368693883d2c65fdd07fe1787c8efb5c8eba19ab21609cdb199538fbd17cc',
  'no/no6.jpg': '900c441bfe68ca0b40711c1dcc64157a1d74eef2cab465f8ad09ff217804b716',
  'no/no7.jpg': '7b7433f40cd69ef7067e0c63af2cee01ceff48e71e9278c1f4fae9958545b4ca',
  'no/no8.jpg': '70472e6898404df2877c841800d179dcd59c9d62f1f214a8df5f29d4bb072d8e',
  'no/no9.jpg': 'c0ad6a7c9b6ebd101f97fc99f14c43fbe3bba4bf7744937e7b6ba0470106421b',
  'yes/y0.jpg': 'f05b80a0d55d43bbbed0764db06c92e077a0b9fd6b71a8a94796ded1134929bb',
  'yes/y1.jpg': '657db84c2ba332e54813a08aaea5908ff4bae8b90b2b06ec37df599d13999d49',
  'yes/y10.jpg': 'a681a328ce35ed1fb36782c9068f22a14235804ef3637b9a4a6134865055ff46',
  'yes/y11.jpg': 'de86e26a7393a48501579af2bfc7d1c2ed922d56e281e6668761635ac7677958',
  'yes/y12.jpg': '23ba40e1f830f1e68b5e32cd8fef8fe13fc4708c87f84b59d25dc26233718fb3',
  'yes/y13.jpg': 'affaf5683751180b76b6f7c91c21d566bbc6c84e114c56202b89a8b216cea439',
  'yes/y14.jpg': '1888909171598315d449b649436c781e64fa0d6636483cdd9476df89949add97',
  'yes/y15.jpg': 'e53f140d826b63ec214a77dbc99f9ef156f350eaa0d9a2168ca969ce0a376b52',
  'yes/y16.jpg': 'c3c3812f93a9d1202add7d5074f2d890b21b0021a8f725a6522c3e8478f472c9',
  'yes/y17.jpg': 'f72ebb5fcbe56f4986bc8ba4db9e75b7b4be446caf4c0de7bd49035d8e619cd9',
  'yes/y18.jpg': 'cb695f3101c9083981a3168bed257a7f40fba68e75bbdb9fddc96959069cd48a',
  'yes/y19.jpg': 'fdf5e0858e92ca67a5cfe231376d794b13ed66cc35ba4f45ee2d751c7252788f',
  'yes/y2.jpg': 'c64e78508f13fe69b9ce30df562fbad9b22aacd4c408b32315fbf64b8a440971',
  'yes/y20.jpg': 'd54045af245a8b56d6001bcd43cb20df46b15650311be622c9bd1d6087ac944b',
  'yes/y21.jpg': '3f4a5cbea36c9be9b351f73832052e850cf692d0377fa6f3048e91fdcd7e2617',
  'yes/y22.jpg': 'e3218072e2fd7bd4c9f2d8102e4fe65004d38bdce7d4f70236f6e1c116ea7349',
  'yes/y23.jpg': 'f2e2ebbe4253ca113c9ae48419edd90f1f8884259117775e43f2089d3cd433a8',
  'yes/y24.jpg': 'aa79af02d0f4107d03a83264745285e5b11b408b1176ccfc1e8789a4c3fc4092',
  'yes/y25.jpg': '2c65d6e294a84e85e745d717da410f5319fc27094669e980efc75d2f9c439aea',
  'yes/y26.jpg': '6d7e2f9dfee1b3604934cd558b9d82215d5baccb1e36e90ec85d29c1eb113867',
  'yes/y27.jpg': '48b42a3f7644293bfe82a7a5afe7014ae56665be6368f7c1d31f203f5b5757a8',
  'yes/y28.jpg': '7f3bb7f94ffb500759acc8a043726a29364fb5f7bfd6f710a1bef9fb6bbc51b2',
  'yes/y29.jpg': '6a10ae5e4bf1b4b889594521903a9e1572e22523dcd4ba66504db71b90e9178b',
  'yes/y3.jpg': 'b76a043ad7b04f5a08e0507e81f625da8183086bab92594f0d1d59690bd654a6',
  'yes/y4.jpg': '0b50b91c3d7c2bfbef07a911f9a59c0f06670b7d191220c891a34dfe252c9229',
  'yes/y5.jpg': 'a75ebd1006246f98af104100da25a02b449427afc60224edcc18c03df7b1e1c7',
  'yes/y6.jpg': 'a3ced69f6b395af7b757d9d5034ad64dcf13b42bec3151646650cb2bf192beb3',
  'yes/y7.jpg': '2208e5441f2ef38b9b1f3563542a67c735accea3aedf0075cacee2021d04f13d',
  'yes/y8.jpg': '8c5b5053e3eab24ef3b405a8caf7cefd749497b778ce28cfa0b516e7ff375ac0',
  'yes/y9.jpg': '1ddc24c1e22360856227277a256236da1ff03396fab010b15e03e35280dbabc2',
};
const EXPECTED_GROUPS = '6913f0c5b1e90b9387a22dd4d345819c7fda269dc53c48bcdefd3809254b6065';
const EXPECTED_SPLITS = '7289bfa1c559bd3c9042a5c025d8a3ede89907380a54a8f3d01996ddb13ebe1d';
const EXPECTED_DATASET = 'a80aa7d1da1d58743e30e39db8190106a9510ebe224db0da7481f6e796f535e0';

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
let work = '';
let prepared: PreparedDataset;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'import-identity-'));
  const raw = path.join(work, 'raw');
  await writeRawDemoDataset(raw, { seed: 17, perClass: 30, duplicateShare: 0.2 });
  prepared = await prepareDataset(raw, scanLayout(raw), 128, importLimitsSchema.parse({}));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('every preprocessed image is byte-identical to the pinned one', () => {
  const actual = Object.fromEntries(prepared.sources.map((s, i) => [s, sha(prepared.images[i])]));
  if (process.env.PRINT_IMPORT_FIXTURE) console.log(JSON.stringify({ actual, groups: sha(new Uint8Array(prepared.groupOf.buffer)), splits: splitsHash(), dataset: datasetHash(prepared.images, prepared.labels, 128) }, null, 2));
  assert.equal(prepared.images.length, 60);
  assert.deepEqual(actual, EXPECTED_IMAGES);
});

test('near-duplicate groups, splits and the content hash are unchanged', () => {
  assert.ok(new Set(prepared.groupOf).size < 60, 'the fixture holds near-duplicates');
  assert.equal(sha(new Uint8Array(prepared.groupOf.buffer)), EXPECTED_GROUPS);
  assert.equal(splitsHash(), EXPECTED_SPLITS);
  assert.equal(datasetHash(prepared.images, prepared.labels, 128), EXPECTED_DATASET);
});

function splitsHash(): string {
  const groups = Array.from(prepared.groupOf);
  return sha(JSON.stringify([stratifiedSplit(prepared.labels, 1, [0.7, 0.2, 0.1], groups), anomalySplit(prepared.labels, 1, groups)]));
}
