"""Seed data for the legal advisory committee's catalogues (法顾委目录).

Two tuples of plain data, no Django:

``LAW_ARTICLES``
    Articles of laws, regulations and policy documents that a legal opinion (法律意见书) in a
    涉侨 case is likely to cite: ``law`` (the title in 《》), ``article`` (第…条, or 全文 for a
    document cited as a whole), ``number`` (the article number for sorting; 0 for 全文),
    ``gist`` (a one- or two-sentence summary in Chinese, not a quotation) and ``topics``
    (space-separated tags from: property neighbouring inheritance graves land houses
    returnees petition mediation administrative litigation contract investment family).
``EXPERTISE_AREAS``
    Areas an adviser can be expert in: one per case category (code = the category value)
    and a set of fields of law, each with the case categories it applies to (ancestral_graves,
    houses, land, inheritance, investment, marriage_family, returnee_affairs, other).

A data migration loads both into ``LawArticle`` and ``ExpertiseArea``; after that the
administrators keep the catalogue in the admin, so changing this module changes nothing in a
database that has already been seeded.

Texts were checked against: 《民法典》(2020); 《民事诉讼法》(2023年第五次修正);
《行政复议法》(2023年修订); 《土地管理法》(2019年修正); 《人民调解法》(2010);
《归侨侨眷权益保护法》(2009年修正) and its 实施办法 (国务院令第410号, 2004);
《信访工作条例》(2022). 《殡葬管理条例》 was revised in January 2026 (in force 30 March 2026,
73 articles); the revised text was not at hand, so it is listed only as 全文 and its article
numbers are marked 待核. A gist marked 待核 is to be checked before it is relied on.
"""

_PETITION = "《信访工作条例》"
_MEDIATION = "《中华人民共和国人民调解法》"
_RETURNEES = "《中华人民共和国归侨侨眷权益保护法》"
_RETURNEES_RULES = "《中华人民共和国归侨侨眷权益保护法实施办法》"
_GRAVES_1984 = "《关于华侨修复祖墓问题的通知》(〔84〕侨政会字42号)"
_GRAVES_2000 = "《关于特殊坟墓处理问题的通知》(民政部等六部门，2000年)"
_FUNERAL = "《殡葬管理条例》"
_CIVIL_CODE = "《中华人民共和国民法典》"
_LAND = "《中华人民共和国土地管理法》"
_ADMIN_REVIEW = "《中华人民共和国行政复议法》"
_CIVIL_PROCEDURE = "《中华人民共和国民事诉讼法》"

LAW_ARTICLES = (
    # 《信访工作条例》(中共中央、国务院2022年发布)
    {
        "law": _PETITION,
        "article": "第二十二条",
        "number": 22,
        "gist": (
            "党委和政府信访部门收到信访事项应当登记，并在15日内区分情况处理：转送有权处理的机关、"
            "单位，或交办并要求其在指定期限内反馈结果；涉法涉诉事项转送同级政法部门，"
            "走访反映涉诉问题的引导其向政法部门反映。"
        ),
        "topics": "petition administrative",
    },
    {
        "law": _PETITION,
        "article": "第二十三条",
        "number": 23,
        "gist": (
            "信访部门以外的机关、单位收到直接提出的信访事项应当登记，能当场告知的当场书面告知，"
            "否则自收到之日起15日内书面告知接收情况和处理途径；对转送、交办来的事项，"
            "属本单位职权的15日内书面告知信访人，不属于的应在5个工作日内提出异议并说明理由。"
        ),
        "topics": "petition administrative",
    },
    {
        "law": _PETITION,
        "article": "第三十一条",
        "number": 31,
        "gist": (
            "申诉求决类信访事项按性质分流：应通过诉讼、仲裁、行政复议等法定程序解决的，"
            "导入相应程序；不属于这些情形的，由有权处理的机关听取陈述、"
            "调查核实后出具信访处理意见书，重大、复杂、疑难事项可以举行听证。"
        ),
        "topics": "petition administrative litigation",
    },
    {
        "law": _PETITION,
        "article": "第三十三条",
        "number": 33,
        "gist": (
            "处理申诉求决类事项时，可在不违反强制性规定、在裁量权范围内经争议双方同意进行调解，"
            "或引导双方自愿和解；达成一致的，制作调解协议书或和解协议书。"
        ),
        "topics": "petition mediation",
    },
    {
        "law": _PETITION,
        "article": "第三十四条",
        "number": 34,
        "gist": (
            "依第三十一条第六项办理的信访事项，应自受理之日起60日内办结；情况复杂的，经本机关、"
            "单位负责人批准可适当延长，但延长不超过30日，并告知信访人延期理由。"
        ),
        "topics": "petition",
    },
    {
        "law": _PETITION,
        "article": "第三十五条",
        "number": 35,
        "gist": (
            "信访人对信访处理意见不服的，可自收到书面答复之日起30日内请求原办理机关、"
            "单位的上一级机关、单位复查；复查机关应自收到请求之日起30日内提出复查意见并书面答复。"
        ),
        "topics": "petition",
    },
    {
        "law": _PETITION,
        "article": "第三十六条",
        "number": 36,
        "gist": (
            "信访人对复查意见不服的，可自收到书面答复之日起30日内向复查机关的上一级机关、"
            "单位请求复核，复核机关应在30日内提出复核意见；复核可以举行听证，"
            "听证所需时间不计入该期限。"
        ),
        "topics": "petition",
    },
    # 《人民调解法》(2010年)
    {
        "law": _MEDIATION,
        "article": "第十七条",
        "number": 17,
        "gist": (
            "当事人可以申请人民调解委员会调解，人民调解委员会也可以主动调解；"
            "但一方当事人明确拒绝调解的，不得调解。"
        ),
        "topics": "mediation",
    },
    {
        "law": _MEDIATION,
        "article": "第二十条",
        "number": 20,
        "gist": (
            "人民调解员根据需要，经当事人同意，可以邀请当事人的亲属、邻里、同事等参与调解，"
            "也可以邀请具有专门知识、特定经验的人员或者有关社会组织的人员参与调解。"
        ),
        "topics": "mediation",
    },
    {
        "law": _MEDIATION,
        "article": "第二十六条",
        "number": 26,
        "gist": (
            "调解不成的，人民调解员应当终止调解，并告知当事人可以依法通过仲裁、行政、"
            "司法等途径维护自己的权利。"
        ),
        "topics": "mediation litigation",
    },
    {
        "law": _MEDIATION,
        "article": "第二十八条",
        "number": 28,
        "gist": (
            "经调解达成协议的，可以制作调解协议书；当事人认为无需制作的，可以采取口头协议方式，"
            "由人民调解员记录协议内容。"
        ),
        "topics": "mediation",
    },
    {
        "law": _MEDIATION,
        "article": "第二十九条",
        "number": 29,
        "gist": (
            "调解协议书可以载明当事人基本情况，纠纷主要事实、争议事项及各方责任，"
            "协议内容和履行方式、期限；自各方当事人签名、盖章或按指印，"
            "人民调解员签名并加盖人民调解委员会印章之日起生效，当事人各执一份，"
            "人民调解委员会留存一份。"
        ),
        "topics": "mediation",
    },
    {
        "law": _MEDIATION,
        "article": "第三十条",
        "number": 30,
        "gist": "采用口头方式达成的调解协议，自各方当事人达成协议之日起即生效。",
        "topics": "mediation",
    },
    {
        "law": _MEDIATION,
        "article": "第三十一条",
        "number": 31,
        "gist": (
            "经人民调解委员会调解达成的调解协议具有法律约束力，当事人应当按约履行；"
            "人民调解委员会应当监督协议的履行情况，督促当事人履行约定义务。"
        ),
        "topics": "mediation",
    },
    {
        "law": _MEDIATION,
        "article": "第三十三条",
        "number": 33,
        "gist": (
            "达成调解协议后，双方认为有必要的，"
            "可以自协议生效之日起三十日内共同向人民法院申请司法确认；"
            "法院确认有效后一方拒不履行或未全部履行的，对方可申请强制执行；确认无效的，"
            "可以重新调解或者向法院起诉。"
        ),
        "topics": "mediation litigation",
    },
    # 《归侨侨眷权益保护法》(2009年第二次修正)
    {
        "law": _RETURNEES,
        "article": "第二条",
        "number": 2,
        "gist": (
            "归侨是回国定居的华侨，华侨是定居在国外的中国公民；侨眷是华侨、归侨在国内的眷属，"
            "包括配偶、父母、子女及其配偶、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女，"
            "以及与华侨、归侨有长期扶养关系的其他亲属。"
        ),
        "topics": "returnees",
    },
    {
        "law": _RETURNEES,
        "article": "第八条",
        "number": 8,
        "gist": (
            "中华全国归国华侨联合会和地方各级归国华侨联合会（侨联）代表归侨、侨眷的利益，"
            "依法维护其合法权益。"
        ),
        "topics": "returnees",
    },
    {
        "law": _RETURNEES,
        "article": "第十一条",
        "number": 11,
        "gist": (
            "国家鼓励和引导归侨、侨眷依法投资兴办产业，特别是兴办高新技术企业，"
            "各级人民政府应当给予支持，其合法权益受法律保护。"
        ),
        "topics": "returnees investment",
    },
    {
        "law": _RETURNEES,
        "article": "第十三条",
        "number": 13,
        "gist": (
            "国家依法保护归侨、侨眷在国内私有房屋的所有权；依法征收、征用、拆迁其私有房屋的，"
            "建设单位应当按照国家有关规定给予合理补偿和妥善安置。"
        ),
        "topics": "returnees houses property",
    },
    {
        "law": _RETURNEES,
        "article": "第十六条",
        "number": 16,
        "gist": (
            "归侨、侨眷有权接受境外亲友的遗赠或者赠与，其继承境外遗产的权益受法律保护，"
            "并有权处分其在境外的财产。"
        ),
        "topics": "returnees inheritance property",
    },
    {
        "law": _RETURNEES,
        "article": "第二十三条",
        "number": 23,
        "gist": (
            "归侨、侨眷合法权益受到侵害时，被侵害人有权要求有关主管部门依法处理，"
            "或者向人民法院起诉；归国华侨联合会应当给予支持和帮助。"
        ),
        "topics": "returnees litigation administrative",
    },
    {
        "law": _RETURNEES,
        "article": "第二十七条",
        "number": 27,
        "gist": (
            "违反第十三条规定非法侵占归侨、侨眷在国内私有房屋的，有关主管部门应当责令退还；"
            "造成损失的，依法承担赔偿责任。"
        ),
        "topics": "returnees houses property",
    },
    # 《归侨侨眷权益保护法实施办法》(国务院令第410号, 2004年)
    {
        "law": _RETURNEES_RULES,
        "article": "第二条",
        "number": 2,
        "gist": (
            "归侨、侨眷身份由其常住户口所在地县级以上地方人民政府侨务机构根据本人申请审核认定；"
            "以长期扶养关系申请认定侨眷身份的，应当提供公证机构出具的扶养证明。"
        ),
        "topics": "returnees",
    },
    {
        "law": _RETURNEES_RULES,
        "article": "第十四条",
        "number": 14,
        "gist": (
            "国家依法保护归侨、侨眷在国内私有房屋的所有权，其对私有房屋依法享有占有、使用、"
            "收益和处分的权利，任何组织或者个人不得侵犯。"
        ),
        "topics": "returnees houses property",
    },
    {
        "law": _RETURNEES_RULES,
        "article": "第二十七条",
        "number": 27,
        "gist": (
            "归侨、侨眷合法权益受侵害的，有权要求有关主管部门依法处理或向人民法院起诉；"
            "有经济困难的，当地法律援助机构应当依法提供法律援助；"
            "各级归国华侨联合会应当给予支持和帮助。"
        ),
        "topics": "returnees litigation administrative",
    },
    # Graves of overseas Chinese: the 1984 notice, the 2000 notice and the funeral regulation
    {
        "law": _GRAVES_1984,
        "article": "全文",
        "number": 0,
        "gist": (
            "国务院侨务办公室、民政部1984年7月23日发布：华侨要求修复祖墓的，原则上应予同意，"
            "须向当地侨务或民政部门申请，报同级人民政府批准；原墓址已成为耕地的，"
            "应迁往公墓或当地政府指定的荒山、荒地；修复一般在原规模和范围内，不要扩大；"
            "所需建材按国家牌价供应，不准趁机勒索；外籍华人、港澳同胞、台湾同胞要求修复祖墓的，"
            "也适用本通知。"
        ),
        "topics": "graves returnees land",
    },
    {
        "law": _GRAVES_2000,
        "article": "全文",
        "number": 0,
        "gist": (
            "民政部、国务院侨务办公室等六部门2000年发布，"
            "文号据二手资料为民发〔2000〕93号（待核）。对《殡葬管理条例》（1997年文本）"
            "第十条第一款所列禁止建坟区域内现有的华侨和港澳台同胞墓地，"
            "原则上迁入当地公墓（包括华侨公墓）；重要知名爱国人士、"
            "台湾重要上层人士的坟墓以及重点侨务工作对象的祖墓原则上予以保留，名单由省级侨务、"
            "港澳、台务等部门提出，报省级人民政府批准（条例2026年修订后对应条文序号待核）。"
        ),
        "topics": "graves returnees land",
    },
    {
        "law": _FUNERAL,
        "article": "全文",
        "number": 0,
        "gist": (
            "国务院殡葬管理行政法规，修订文本2026年1月公布、2026年3月30日起施行（8章73条），"
            "规范殡葬设施、殡仪服务、安葬服务、丧事活动和监督管理，推行节地生态安葬。"
            "修订前文本第十条禁止在耕地、林地等区域建造坟墓，第二十条对违规建坟责令限期改正；"
            "修订后对应条文序号待核，引用时请核对现行文本。"
        ),
        "topics": "graves land administrative",
    },
    # 《民法典》(2020年)
    {
        "law": _CIVIL_CODE,
        "article": "第一百八十八条",
        "number": 188,
        "gist": (
            "向人民法院请求保护民事权利的诉讼时效期间一般为三年，"
            "自权利人知道或应当知道权利受到损害以及义务人之日起计算；"
            "自权利受到损害之日起超过二十年的，法院不予保护，有特殊情况的可依申请延长。"
        ),
        "topics": "litigation",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一百九十六条",
        "number": 196,
        "gist": (
            "请求停止侵害、排除妨碍、消除危险，不动产物权和登记的动产物权的权利人请求返还财产，"
            "以及请求支付抚养费、赡养费或者扶养费等请求权，不适用诉讼时效。"
        ),
        "topics": "litigation property family",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百零七条",
        "number": 207,
        "gist": "国家、集体、私人以及其他权利人的物权受法律平等保护，任何组织或个人不得侵犯。",
        "topics": "property",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百零九条",
        "number": 209,
        "gist": (
            "不动产物权的设立、变更、转让和消灭，经依法登记才发生效力，法律另有规定的除外；"
            "依法属于国家所有的自然资源，所有权可以不登记。"
        ),
        "topics": "property houses land",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百三十三条",
        "number": 233,
        "gist": "物权受到侵害时，权利人可以选择和解、调解、仲裁或诉讼等途径解决。",
        "topics": "property mediation litigation",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百三十四条",
        "number": 234,
        "gist": "因物权的归属或内容发生争议的，利害关系人可以请求确认权利。",
        "topics": "property litigation",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百三十五条",
        "number": 235,
        "gist": "对无权占有不动产或动产的，权利人可以请求返还原物。",
        "topics": "property houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百三十六条",
        "number": 236,
        "gist": "物权受到妨害或有受妨害之虞的，权利人可以请求排除妨害或者消除危险。",
        "topics": "property neighbouring",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百三十七条",
        "number": 237,
        "gist": "不动产或动产被毁损的，权利人可以依法请求修理、重作、更换或者恢复原状。",
        "topics": "property houses graves",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百三十八条",
        "number": 238,
        "gist": (
            "侵害物权造成权利人损害的，权利人可以依法请求损害赔偿，也可以依法请求承担其他民事责任。"
        ),
        "topics": "property litigation",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百四十条",
        "number": 240,
        "gist": "所有权人对其不动产、动产依法享有占有、使用、收益、处分四项权利。",
        "topics": "property houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百四十三条",
        "number": 243,
        "gist": (
            "为了公共利益，可依法定权限和程序征收集体土地和组织、个人的房屋及其他不动产；"
            "征收集体土地应依法足额支付各项补偿费用并安排被征地农民的社会保障费用；"
            "征收房屋等应依法给予补偿，征收个人住宅还应保障被征收人的居住条件；禁止贪污、挪用、"
            "私分、截留、拖欠征收补偿费等费用。"
        ),
        "topics": "property houses land administrative",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百八十八条",
        "number": 288,
        "gist": (
            "相邻的不动产权利人应当本着有利生产、方便生活、团结互助、公平合理的原则处理相邻关系。"
        ),
        "topics": "neighbouring property",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百八十九条",
        "number": 289,
        "gist": "处理相邻关系，法律、法规有规定的依照其规定；没有规定的，可以按照当地习惯。",
        "topics": "neighbouring graves",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十条",
        "number": 290,
        "gist": (
            "不动产权利人应为相邻权利人用水、排水提供必要便利；"
            "自然流水的利用应在相邻权利人之间合理分配，其排放应当尊重自然流向。"
        ),
        "topics": "neighbouring land",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十一条",
        "number": 291,
        "gist": "相邻权利人因通行等必须利用其土地的，不动产权利人应当提供必要的便利。",
        "topics": "neighbouring land graves",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十二条",
        "number": 292,
        "gist": (
            "因建造、修缮建筑物或铺设电线、电缆、水管、暖气和燃气管线等必须利用相邻土地、"
            "建筑物的，该土地、建筑物的权利人应当提供必要的便利。"
        ),
        "topics": "neighbouring houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十三条",
        "number": 293,
        "gist": "建造建筑物不得违反国家有关工程建设标准，不得妨碍相邻建筑物的通风、采光和日照。",
        "topics": "neighbouring houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十四条",
        "number": 294,
        "gist": (
            "不动产权利人不得违反国家规定弃置固体废物，或者排放大气、水、土壤污染物以及噪声、"
            "光辐射、电磁辐射等有害物质。"
        ),
        "topics": "neighbouring",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十五条",
        "number": 295,
        "gist": "挖掘土地、建造建筑物、铺设管线以及安装设备等，不得危及相邻不动产的安全。",
        "topics": "neighbouring houses graves",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第二百九十六条",
        "number": 296,
        "gist": (
            "因用水、排水、通行、铺设管线等利用相邻不动产的，"
            "应当尽量避免给相邻的不动产权利人造成损害。"
        ),
        "topics": "neighbouring",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第三百零三条",
        "number": 303,
        "gist": (
            "共有人约定不得分割的从其约定，但有重大理由需要分割的可以请求分割；"
            "没有约定或约定不明确的，按份共有人可随时请求分割，"
            "共同共有人在共有基础丧失或有重大理由时可以请求分割；因分割造成其他共有人损害的，"
            "应当赔偿。"
        ),
        "topics": "property houses inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第三百六十二条",
        "number": 362,
        "gist": "宅基地使用权人依法占有、使用集体所有的土地，并可依法在其上建造住宅及附属设施。",
        "topics": "land houses property",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第三百六十三条",
        "number": 363,
        "gist": "宅基地使用权如何取得、行使和转让，依照土地管理法律和国家有关规定。",
        "topics": "land houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第三百六十四条",
        "number": 364,
        "gist": (
            "宅基地因自然灾害等原因灭失的，宅基地使用权消灭；对失去宅基地的村民，"
            "应当依法重新分配宅基地。"
        ),
        "topics": "land houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第三百六十五条",
        "number": 365,
        "gist": "已登记的宅基地使用权发生转让或消灭的，应及时办理变更登记或注销登记。",
        "topics": "land houses",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第五百七十七条",
        "number": 577,
        "gist": (
            "当事人一方不履行合同义务或履行不符合约定的，应当承担继续履行、"
            "采取补救措施或者赔偿损失等违约责任。"
        ),
        "topics": "contract investment",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第九百九十四条",
        "number": 994,
        "gist": (
            "死者的姓名、肖像、名誉、荣誉、隐私、遗体等受到侵害的，其配偶、子女、"
            "父母有权依法请求行为人承担民事责任；死者没有配偶、子女且父母已经死亡的，"
            "由其他近亲属请求。"
        ),
        "topics": "graves litigation family",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千零七十九条",
        "number": 1079,
        "gist": (
            "夫妻一方要求离婚的，可以由有关组织调解或者直接向人民法院起诉；"
            "法院审理离婚案件应当进行调解，感情确已破裂、调解无效的应准予离婚，并列举重婚、"
            "家庭暴力、恶习屡教不改、分居满二年等应准予离婚的情形。"
        ),
        "topics": "family mediation litigation",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百二十一条",
        "number": 1121,
        "gist": (
            "继承从被继承人死亡时开始；相互有继承关系的数人在同一事件中死亡、难以确定死亡时间的，"
            "推定没有其他继承人的人先死亡，都有其他继承人的，辈份不同推定长辈先死亡，"
            "辈份相同推定同时死亡、相互不发生继承。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百二十二条",
        "number": 1122,
        "gist": (
            "遗产是自然人死亡时遗留的个人合法财产；依照法律规定或者根据其性质不得继承的遗产，"
            "不得继承。"
        ),
        "topics": "inheritance property",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百二十三条",
        "number": 1123,
        "gist": (
            "继承开始后按照法定继承办理；有遗嘱的，按照遗嘱继承或者遗赠办理；有遗赠扶养协议的，"
            "按照协议办理。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百二十四条",
        "number": 1124,
        "gist": (
            "继承人放弃继承的，应当在遗产处理前以书面形式表示，没有表示的视为接受继承；"
            "受遗赠人应在知道受遗赠后六十日内表示接受或者放弃，到期没有表示的视为放弃受遗赠。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百二十七条",
        "number": 1127,
        "gist": (
            "法定继承第一顺序为配偶、子女、父母，第二顺序为兄弟姐妹、祖父母、外祖父母；"
            "有第一顺序继承人继承的，第二顺序继承人不继承；子女、父母、兄弟姐妹的范围包括婚生、"
            "非婚生、收养及有扶养关系的继亲属。"
        ),
        "topics": "inheritance family",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百二十八条",
        "number": 1128,
        "gist": (
            "被继承人的子女先于被继承人死亡的，由该子女的直系晚辈血亲代位继承；"
            "兄弟姐妹先于被继承人死亡的，由兄弟姐妹的子女代位继承；"
            "代位继承人一般只能继承被代位继承人有权继承的份额。"
        ),
        "topics": "inheritance family",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百三十条",
        "number": 1130,
        "gist": (
            "同一顺序继承人继承遗产的份额一般应当均等；"
            "对生活有特殊困难又缺乏劳动能力的继承人应予照顾，"
            "尽了主要扶养义务或与被继承人共同生活的可以多分，"
            "有扶养能力和条件而不尽扶养义务的应当不分或少分；继承人协商同意的，也可以不均等。"
        ),
        "topics": "inheritance family",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百三十二条",
        "number": 1132,
        "gist": (
            "继承人应当互谅互让、协商处理继承问题，遗产分割的时间、办法和份额由继承人协商确定；"
            "协商不成的，可以由人民调解委员会调解或者向人民法院起诉。"
        ),
        "topics": "inheritance mediation litigation",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百三十三条",
        "number": 1133,
        "gist": (
            "自然人可以依法立遗嘱处分个人财产并指定遗嘱执行人，"
            "可以指定由法定继承人中的一人或数人继承，也可以赠与国家、"
            "集体或者法定继承人以外的组织、个人，还可以依法设立遗嘱信托。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百四十一条",
        "number": 1141,
        "gist": "遗嘱须为缺乏劳动能力又没有生活来源的继承人保留必要的遗产份额（必留份）。",
        "topics": "inheritance family",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百五十二条",
        "number": 1152,
        "gist": (
            "继承开始后、遗产分割前继承人死亡且没有放弃继承的，其应当继承的遗产转给其继承人，"
            "但遗嘱另有安排的除外。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百五十三条",
        "number": 1153,
        "gist": (
            "夫妻共同所有的财产，除另有约定外，分割遗产时应先将一半分出归配偶所有，"
            "其余为被继承人的遗产；遗产在家庭共有财产之中的，分割时应当先分出他人的财产。"
        ),
        "topics": "inheritance family property",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百五十九条",
        "number": 1159,
        "gist": (
            "分割遗产应当清偿被继承人依法应缴纳的税款和债务，"
            "但应当为缺乏劳动能力又没有生活来源的继承人保留必要的遗产。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百六十一条",
        "number": 1161,
        "gist": (
            "继承人以所得遗产实际价值为限清偿被继承人依法应缴纳的税款和债务，"
            "超过部分自愿偿还的不在此限；放弃继承的，对这些税款和债务可以不负清偿责任。"
        ),
        "topics": "inheritance",
    },
    {
        "law": _CIVIL_CODE,
        "article": "第一千一百六十五条",
        "number": 1165,
        "gist": (
            "行为人因过错侵害他人民事权益造成损害的，应当承担侵权责任；"
            "依法推定有过错而行为人不能证明自己没有过错的，也应当承担侵权责任。"
        ),
        "topics": "litigation property graves houses",
    },
    # 《土地管理法》(2019年修正)
    {
        "law": _LAND,
        "article": "第十四条",
        "number": 14,
        "gist": (
            "土地所有权和使用权争议由当事人协商解决，协商不成的由人民政府处理："
            "单位之间的由县级以上人民政府处理，个人之间、"
            "个人与单位之间的由乡级或县级以上人民政府处理；对处理决定不服的，"
            "可自接到通知之日起三十日内向人民法院起诉；争议解决前，任何一方不得改变土地利用现状。"
        ),
        "topics": "land administrative graves",
    },
    {
        "law": _LAND,
        "article": "第四十八条",
        "number": 48,
        "gist": (
            "征收土地应当给予公平、合理的补偿，保障被征地农民原有生活水平不降低、长远生计有保障；"
            "对农村村民住宅，按照先补偿后搬迁、居住条件有改善的原则，以重新安排宅基地建房、"
            "提供安置房或者货币补偿等方式给予公平、合理的补偿。"
        ),
        "topics": "land houses administrative",
    },
    {
        "law": _LAND,
        "article": "第六十二条",
        "number": 62,
        "gist": (
            "农村村民一户只能拥有一处宅基地，面积不得超过省级规定的标准；"
            "村民建住宅应当符合乡（镇）土地利用总体规划和村庄规划，住宅用地由乡（镇）"
            "人民政府审核批准；出卖、出租、赠与住宅后再申请宅基地的，不予批准。"
        ),
        "topics": "land houses",
    },
    # 《行政复议法》(2023年修订)
    {
        "law": _ADMIN_REVIEW,
        "article": "第十一条",
        "number": 11,
        "gist": (
            "列举可以申请行政复议的情形，其中包括不服行政机关确认自然资源所有权或使用权的决定、"
            "征收征用决定及其补偿决定，行政机关不履行保护人身权、财产权等法定职责，"
            "以及不依法订立、履行土地房屋征收补偿协议等行政协议。"
        ),
        "topics": "administrative land houses",
    },
    {
        "law": _ADMIN_REVIEW,
        "article": "第二十条",
        "number": 20,
        "gist": (
            "认为行政行为侵犯其合法权益的，"
            "可以自知道或者应当知道该行为之日起六十日内申请行政复议，法律规定期限更长的除外；"
            "因不可抗力等正当理由耽误的，自障碍消除之日起继续计算；"
            "行政机关未告知复议权利和期限的，自知道之日起计算，"
            "但最长不超过知道行政行为内容之日起一年。"
        ),
        "topics": "administrative",
    },
    {
        "law": _ADMIN_REVIEW,
        "article": "第二十一条",
        "number": 21,
        "gist": (
            "因不动产提出的行政复议申请，自行政行为作出之日起超过二十年的，其他申请超过五年的，"
            "行政复议机关不予受理。"
        ),
        "topics": "administrative property land houses",
    },
    {
        "law": _ADMIN_REVIEW,
        "article": "第二十三条",
        "number": 23,
        "gist": (
            "对当场作出的行政处罚决定、侵犯已依法取得的自然资源所有权或使用权的决定、"
            "行政机关未履行法定职责、政府信息不予公开等情形，应当先申请行政复议，"
            "对复议决定不服的再依法提起行政诉讼。"
        ),
        "topics": "administrative land litigation",
    },
    # 《民事诉讼法》(2023年修正)
    {
        "law": _CIVIL_PROCEDURE,
        "article": "第三十四条",
        "number": 34,
        "gist": (
            "专属管辖：不动产纠纷由不动产所在地人民法院管辖；"
            "港口作业纠纷由港口所在地人民法院管辖；"
            "继承遗产纠纷由被继承人死亡时住所地或者主要遗产所在地人民法院管辖。"
        ),
        "topics": "litigation property houses land inheritance",
    },
    {
        "law": _CIVIL_PROCEDURE,
        "article": "第二百零五条",
        "number": 205,
        "gist": (
            "经依法设立的调解组织调解达成协议、申请司法确认的，"
            "由双方当事人自调解协议生效之日起三十日内共同提出：法院邀请先行调解的向该法院提出；"
            "调解组织自行调解的，向当事人住所地、标的物所在地或调解组织所在地的基层人民法院提出，"
            "纠纷应由中级人民法院管辖的向相应中级人民法院提出。"
        ),
        "topics": "mediation litigation",
    },
    {
        "law": _CIVIL_PROCEDURE,
        "article": "第二百八十三条",
        "number": 283,
        "gist": (
            "对在中国领域内没有住所的当事人送达诉讼文书，可依条约、通过外交途径、"
            "委托使领馆（限中国籍受送达人）、向其诉讼代理人或境内代表机构等送达，"
            "所在国允许的可邮寄送达，也可采用能确认收悉的电子方式送达；均不能送达的公告送达，"
            "自公告之日起满六十日视为送达。"
        ),
        "topics": "litigation",
    },
)

EXPERTISE_AREAS = (
    {
        "code": "ancestral_graves",
        "name": "祖坟墓地",
        "name_en": "Ancestral graves and cemetery land",
        "categories": ["ancestral_graves"],
    },
    {
        "code": "houses",
        "name": "侨房",
        "name_en": "Houses of overseas Chinese",
        "categories": ["houses"],
    },
    {
        "code": "land",
        "name": "土地",
        "name_en": "Land",
        "categories": ["land"],
    },
    {
        "code": "inheritance",
        "name": "继承",
        "name_en": "Inheritance",
        "categories": ["inheritance"],
    },
    {
        "code": "investment",
        "name": "投资与侨企",
        "name_en": "Investment and overseas-Chinese enterprises",
        "categories": ["investment"],
    },
    {
        "code": "marriage_family",
        "name": "婚姻家庭",
        "name_en": "Marriage and family",
        "categories": ["marriage_family"],
    },
    {
        "code": "returnee_affairs",
        "name": "归侨事务",
        "name_en": "Returnee affairs",
        "categories": ["returnee_affairs"],
    },
    {
        "code": "other",
        "name": "其他",
        "name_en": "Other",
        "categories": ["other"],
    },
    {
        "code": "property_law",
        "name": "物权法",
        "name_en": "Property law",
        "categories": ["ancestral_graves", "houses", "land", "inheritance"],
    },
    {
        "code": "neighbouring_relations",
        "name": "相邻关系",
        "name_en": "Neighbouring relations",
        "categories": ["ancestral_graves", "houses", "land"],
    },
    {
        "code": "inheritance_law",
        "name": "继承法",
        "name_en": "Inheritance law",
        "categories": ["inheritance", "houses", "marriage_family"],
    },
    {
        "code": "family_law",
        "name": "婚姻家庭法",
        "name_en": "Marriage and family law",
        "categories": ["marriage_family", "inheritance"],
    },
    {
        "code": "contract_law",
        "name": "合同法",
        "name_en": "Contract law",
        "categories": ["investment", "houses", "land", "other"],
    },
    {
        "code": "company_law",
        "name": "公司法与侨企经营",
        "name_en": "Company law and overseas-Chinese enterprises",
        "categories": ["investment"],
    },
    {
        "code": "land_administration",
        "name": "土地管理与宅基地",
        "name_en": "Land administration and homesteads",
        "categories": ["land", "houses", "ancestral_graves"],
    },
    {
        "code": "burial_administration",
        "name": "殡葬管理",
        "name_en": "Burial and cemetery administration",
        "categories": ["ancestral_graves"],
    },
    {
        "code": "administrative_law",
        "name": "行政法（复议与行政诉讼）",
        "name_en": "Administrative law (review and litigation)",
        "categories": ["ancestral_graves", "houses", "land", "returnee_affairs"],
    },
    {
        "code": "overseas_chinese_policy",
        "name": "侨务政策与归侨侨眷权益",
        "name_en": "Overseas-Chinese policy and returnee rights",
        "categories": [
            "returnee_affairs",
            "houses",
            "ancestral_graves",
            "inheritance",
            "investment",
        ],
    },
    {
        "code": "petition_procedure",
        "name": "信访程序",
        "name_en": "Petition (xinfang) procedure",
        "categories": [
            "ancestral_graves",
            "houses",
            "land",
            "inheritance",
            "investment",
            "marriage_family",
            "returnee_affairs",
            "other",
        ],
    },
    {
        "code": "mediation_law",
        "name": "人民调解",
        "name_en": "People's mediation",
        "categories": [
            "ancestral_graves",
            "houses",
            "land",
            "inheritance",
            "investment",
            "marriage_family",
            "returnee_affairs",
            "other",
        ],
    },
    {
        "code": "civil_procedure",
        "name": "民事诉讼",
        "name_en": "Civil procedure",
        "categories": [
            "ancestral_graves",
            "houses",
            "land",
            "inheritance",
            "investment",
            "marriage_family",
            "other",
        ],
    },
)
