// The best-practice rules about RUN commands (BH020-BH039), in id order.
import type { Rule } from './rule';
import {
  aptGetListsCleanup,
  aptGetMissingYes,
  aptGetNoInstallRecommends,
  aptGetPinVersions,
  aptGetUpgrade,
  aptInsteadOfAptGet,
} from './run/aptGet';
import { apkNoCache, apkPinVersions } from './run/apk';
import { linkBinSh } from './run/binSh';
import { cdInRun } from './run/cd';
import { consecutiveRuns } from './run/consecutiveRun';
import { curlAndWget } from './run/curlWget';
import { gemPinVersions } from './run/gem';
import { npmPinVersions } from './run/npm';
import { pipNoCacheDir, pipPinVersions } from './run/pip';
import { pipeWithoutPipefail } from './run/pipefail';
import { rpmInstallMissingYes } from './run/rpmInstall';
import { sudoInRun } from './run/sudo';
import { useraddNoLogInit } from './run/useradd';

export const runRules: Rule[] = [
  aptGetMissingYes, // BH020
  aptGetNoInstallRecommends, // BH021
  aptGetListsCleanup, // BH022
  aptGetPinVersions, // BH023
  pipPinVersions, // BH024
  npmPinVersions, // BH025
  apkPinVersions, // BH026
  apkNoCache, // BH027
  cdInRun, // BH028
  sudoInRun, // BH029
  pipeWithoutPipefail, // BH030
  useraddNoLogInit, // BH031
  consecutiveRuns, // BH032
  aptInsteadOfAptGet, // BH033
  aptGetUpgrade, // BH034
  pipNoCacheDir, // BH035
  curlAndWget, // BH036
  rpmInstallMissingYes, // BH037
  linkBinSh, // BH038
  gemPinVersions, // BH039
];
