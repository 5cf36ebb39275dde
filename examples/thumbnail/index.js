// Makes a thumbnail of every image uploaded under `uploads/` and stores it under `thumbnails/`
// in the same bucket. Triggered by S3 bucket notifications (s3:ObjectCreated:*, prefix uploads/).
// Plain Lambda code: `new S3Client({})` reaches Nimbus's object store through the endpoint and
// credentials the platform sets in the environment.
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const sharp = require('sharp');

const s3 = new S3Client({});
const SOURCE_PREFIX = process.env.SOURCE_PREFIX || 'uploads/';
const TARGET_PREFIX = process.env.TARGET_PREFIX || 'thumbnails/';
const SIZE = Number(process.env.THUMBNAIL_SIZE || 200);
const TYPES = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

exports.handler = async (event) => {
  console.log('Received event', JSON.stringify(event));
  const made = [];
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    // Keys in S3 events are URL-encoded, form style ("red flower.jpg" arrives as "red+flower.jpg").
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!key.startsWith(SOURCE_PREFIX)) continue;
    const original = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const input = Buffer.from(await original.Body.transformToByteArray());
    const { data, info } = await sharp(input)
      .rotate()
      .resize(SIZE, SIZE, { fit: 'inside', withoutEnlargement: true })
      .toBuffer({ resolveWithObject: true });
    const target = TARGET_PREFIX + key.slice(SOURCE_PREFIX.length);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: target,
        Body: data,
        ContentType: TYPES[info.format] || 'application/octet-stream',
        Metadata: { source: key, width: String(info.width), height: String(info.height) },
      }),
    );
    console.log(
      `thumbnail ${bucket}/${target}: ${info.width}x${info.height} ${info.format}, ${data.length} bytes`,
    );
    made.push(target);
  }
  return { thumbnails: made };
};
