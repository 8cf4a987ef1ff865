// Berth's instruction-level best-practice rules (BH001-BH019), in id order. Each rule lives in
// rules/instruction/, one concept per file; RUN-command rules are in runRules.
import type { Rule } from './rule';
import { untaggedBaseImage, latestBaseImage } from './instruction/baseImage';
import { addInsteadOfCopy } from './instruction/addToCopy';
import { relativeWorkdir } from './instruction/workdir';
import { multipleCmd, multipleEntrypoint } from './instruction/singleton';
import { shellFormCommand } from './instruction/execForm';
import { rootUser } from './instruction/rootUser';
import { copyFromUnknownStage, copyFromSelf } from './instruction/copyFrom';
import { duplicateStageName, fromAsCasing, stageNameCasing } from './instruction/stageNames';
import { secretInArgOrEnv } from './instruction/secrets';
import { invalidExposePort } from './instruction/expose';
import { deprecatedMaintainer } from './instruction/maintainer';
import { copyMultipleSourcesDestination } from './instruction/copyDestination';
import { legacyKeyValueFormat } from './instruction/legacyKeyValue';
import { undefinedVariable } from './instruction/undefinedVar';

export const instructionRules: Rule[] = [
  untaggedBaseImage, // BH001
  latestBaseImage, // BH002
  addInsteadOfCopy, // BH003
  relativeWorkdir, // BH004
  multipleCmd, // BH005
  multipleEntrypoint, // BH006
  shellFormCommand, // BH007
  rootUser, // BH008
  copyFromUnknownStage, // BH009
  copyFromSelf, // BH010
  duplicateStageName, // BH011
  secretInArgOrEnv, // BH012
  invalidExposePort, // BH013
  deprecatedMaintainer, // BH014
  copyMultipleSourcesDestination, // BH015
  legacyKeyValueFormat, // BH016
  fromAsCasing, // BH017
  stageNameCasing, // BH018
  undefinedVariable, // BH019
];
