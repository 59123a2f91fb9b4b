"""扫码入企: registering an inspection before entering an enterprise, and its result at the end.

The rules come from the anchors of SPEC §4:

- only licensed inspectors, at least two, each with a usable enforcement certificate of a
  participating department (国办发〔2024〕54号: no 网格员、临时工、辅助人员 without one);
- only published items ("未经公布的，不得实施"); a legal basis; a filed plan or the reason the
  inspection is outside any plan (投诉举报、转办交办、上级部署、突发事件);
- scan before entering; in an emergency inspect first and scan before leaving; when the
  system was down, back-fill within 10 natural days with the reason (深府规〔2025〕6号 and
  its 解读);
- grade A enterprises get no proactive inspection in a year (衡政办发〔2025〕6号); caps per
  item, per department and in total, exempt inspections not counted; quiet periods admit
  only exempt inspections; alerts to the supervisor when a cap is reached or exceeded and
  on high-frequency visits of any kind (国办发〔2024〕54号, 宁波市政府令第280号 第五条);
- a joint inspection (联合检查, 进一次门、查多项事) is one registration of several departments
  and counts once against every cap.

`registration_preview` says what the inspector must know before registering;
`inspection_register` registers (or refuses, with a Chinese message naming the field);
`inspection_finish` records the result.

One module per concern; import from the module that holds the thing (this package
re-exports nothing): `notices` (the warnings and `AcknowledgementRequired`), `preview`
(`registration_preview` and the look-ups it shares with the checks), `checks` (the named
checks `inspection_register` runs, in order), `register` (`inspection_register`),
`finish` (`inspection_finish`) and `attachments` (evidence on a registration)."""
