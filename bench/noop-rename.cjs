/**
 * The jscodeshift side of the benchmark: a rename that changes nothing. It parses the file, visits every identifier,
 * renames `handler` to `handler`, and prints, so jscodeshift's runner does its full per-file work (read, parse,
 * traverse, print) yet writes nothing: an unchanged file is reported as "unmodified".
 */
module.exports = function noopRename(file, api) {
  const j = api.jscodeshift;
  const root = j(file.source);
  root.find(j.Identifier, { name: 'handler' }).forEach((p) => {
    p.node.name = 'handler';
  });
  return root.toSource();
};
