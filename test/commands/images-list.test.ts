import { describe, expect, it } from 'vitest';
import { imageRows, imageTable } from '../../src/commands/images-list.js';
import type { ImageSummary } from '../../src/deploy/images.js';

describe('images list (pure)', () => {
  const images: (ImageSummary & { Id: string; Size: number })[] = [
    { Id: 'sha256:aaaaaaaaaaaaffff', RepoTags: ['jobmon-mariadb:0123456789ab'], Labels: { 'org.jobmon-ops.commit': '0123456789abcdef' }, Created: 100, Size: 570_000_000 },
    {
      Id: 'sha256:bbbbbbbbbbbbffff',
      RepoTags: ['jobmon-server:0123456789ab', 'other/name:x'],
      Labels: { 'org.jobmon-ops.commit': '0123456789abcdef', 'org.jobmon-ops.node': '24.22.3' },
      Created: 200,
      Size: 334_000_000,
    },
    // a server image older than the node label, and a DB image that inherited nothing
    { Id: 'sha256:cccccccccccc', RepoTags: ['jobmon-server:old'], Labels: { 'org.jobmon-ops.commit': 'fedcba' }, Created: 50, Size: 306_000_000 },
    { Id: 'sha256:dddddddddddd', RepoTags: ['jobmon-mariadb:tests'], Labels: null, Created: 10, Size: 1 },
  ];

  it('one row per release tag, newest first; Node only for server images that carry the label', () => {
    expect(imageRows(images)).toEqual([
      { image: 'jobmon-server:0123456789ab', id: 'bbbbbbbbbbbb', commit: '0123456789abcdef', node: '24.22.3', created: '1970-01-01T00:03:20.000Z', size: 334_000_000 },
      { image: 'jobmon-mariadb:0123456789ab', id: 'aaaaaaaaaaaa', commit: '0123456789abcdef', node: null, created: '1970-01-01T00:01:40.000Z', size: 570_000_000 },
      { image: 'jobmon-server:old', id: 'cccccccccccc', commit: 'fedcba', node: null, created: '1970-01-01T00:00:50.000Z', size: 306_000_000 },
      { image: 'jobmon-mariadb:tests', id: 'dddddddddddd', commit: null, node: null, created: '1970-01-01T00:00:10.000Z', size: 1 },
    ]);
  });

  it('a padded table', () => {
    expect(imageTable(imageRows(images.slice(0, 2))).split('\n')).toEqual([
      'IMAGE                        COMMIT        NODE     CREATED              SIZE',
      'jobmon-server:0123456789ab   0123456789ab  24.22.3  1970-01-01 00:03:20  334 MB',
      'jobmon-mariadb:0123456789ab  0123456789ab  -        1970-01-01 00:01:40  570 MB',
    ]);
  });
});
